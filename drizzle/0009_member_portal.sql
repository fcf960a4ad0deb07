CREATE TABLE `member_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issuer_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`kind` text NOT NULL,
	`acs_trans_id` text,
	`change` text,
	`note` text DEFAULT '' NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`created_at` integer NOT NULL,
	`closed_at` integer,
	`closed_by` integer,
	`close_note` text,
	FOREIGN KEY (`issuer_id`) REFERENCES `issuers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`closed_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `member_reports_issuer_state` ON `member_reports` (`issuer_id`,`state`,`created_at`);--> statement-breakpoint
CREATE INDEX `member_reports_member` ON `member_reports` (`member_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `member_reports_transaction` ON `member_reports` (`member_id`,`acs_trans_id`);--> statement-breakpoint
ALTER TABLE `flows` ADD `data` text;--> statement-breakpoint
ALTER TABLE `issuers` ADD `provisional_phone_mode` text DEFAULT 'self_service' NOT NULL;--> statement-breakpoint
ALTER TABLE `issuers` ADD `registration_proof` text DEFAULT 'birth_date' NOT NULL;--> statement-breakpoint
ALTER TABLE `members` ADD `personal_message_provisional` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `members` ADD `last_sign_in_at` integer;