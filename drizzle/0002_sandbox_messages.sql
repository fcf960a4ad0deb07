CREATE TABLE `sandbox_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`three_ds_server_trans_id` text NOT NULL,
	`step` text NOT NULL,
	`message_type` text NOT NULL,
	`body` text NOT NULL,
	`ms` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sandbox_messages_trans` ON `sandbox_messages` (`three_ds_server_trans_id`);