ALTER TABLE `card_imports` ADD `file_place` text DEFAULT 'database' NOT NULL;--> statement-breakpoint
ALTER TABLE `card_imports` ADD `moved_at` integer;