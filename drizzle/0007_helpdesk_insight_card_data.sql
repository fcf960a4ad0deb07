CREATE TABLE `api_idempotency` (
	`api_key_id` integer NOT NULL,
	`key` text NOT NULL,
	`request_digest` text NOT NULL,
	`status` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`api_key_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `api_idempotency_created` ON `api_idempotency` (`created_at`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issuer_id` integer NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`permissions` text NOT NULL,
	`allowed_sources` text DEFAULT '[]' NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`issuer_id`) REFERENCES `issuers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_issuer` ON `api_keys` (`issuer_id`);--> statement-breakpoint
CREATE TABLE `card_import_chunks` (
	`import_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`import_id`, `seq`),
	FOREIGN KEY (`import_id`) REFERENCES `card_imports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `card_import_errors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`import_id` integer NOT NULL,
	`line` integer NOT NULL,
	`field` text,
	`code` text NOT NULL,
	`message_ja` text NOT NULL,
	`message_en` text NOT NULL,
	FOREIGN KEY (`import_id`) REFERENCES `card_imports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `card_import_errors_import` ON `card_import_errors` (`import_id`,`line`);--> statement-breakpoint
CREATE TABLE `card_imports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issuer_id` integer NOT NULL,
	`actor_name` text NOT NULL,
	`staff_id` integer,
	`file_name` text NOT NULL,
	`file_digest` text NOT NULL,
	`encoding` text NOT NULL,
	`dry_run` integer DEFAULT false NOT NULL,
	`state` text DEFAULT 'queued' NOT NULL,
	`total_rows` integer DEFAULT 0 NOT NULL,
	`processed_rows` integer DEFAULT 0 NOT NULL,
	`inserted` integer DEFAULT 0 NOT NULL,
	`updated` integer DEFAULT 0 NOT NULL,
	`unchanged` integer DEFAULT 0 NOT NULL,
	`rejected` integer DEFAULT 0 NOT NULL,
	`cursor` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`issuer_id`) REFERENCES `issuers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `card_imports_issuer` ON `card_imports` (`issuer_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `issuer_assets` (
	`digest` text PRIMARY KEY NOT NULL,
	`issuer_id` integer NOT NULL,
	`content_type` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`issuer_id`) REFERENCES `issuers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `staff_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issuer_id` integer NOT NULL,
	`action` text NOT NULL,
	`target` text NOT NULL,
	`payload` text DEFAULT '{}' NOT NULL,
	`reason` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`requested_by` integer NOT NULL,
	`requested_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`decided_by` integer,
	`decided_at` integer,
	`decision_note` text,
	FOREIGN KEY (`issuer_id`) REFERENCES `issuers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `staff_requests_issuer_state` ON `staff_requests` (`issuer_id`,`state`,`requested_at`);--> statement-breakpoint
CREATE INDEX `staff_requests_target` ON `staff_requests` (`target`);--> statement-breakpoint
CREATE TABLE `stats_hourly` (
	`issuer_id` integer NOT NULL,
	`hour` integer NOT NULL,
	`metric` text NOT NULL,
	`label` text DEFAULT '' NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`sum` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`issuer_id`, `hour`, `metric`, `label`)
);
--> statement-breakpoint
CREATE INDEX `stats_hourly_hour` ON `stats_hourly` (`hour`);--> statement-breakpoint
CREATE TABLE `transaction_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`acs_trans_id` text NOT NULL,
	`kind` text NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `transaction_events_trans` ON `transaction_events` (`acs_trans_id`);--> statement-breakpoint
DROP INDEX `cardholders_customer_ref_unique`;--> statement-breakpoint
ALTER TABLE `cardholders` ADD `issuer_id` integer REFERENCES issuers(id);--> statement-breakpoint
ALTER TABLE `cardholders` ADD `name_kana` text;--> statement-breakpoint
ALTER TABLE `cardholders` ADD `email` text;--> statement-breakpoint
ALTER TABLE `cardholders` ADD `data_sharing_opt_out` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `cardholders` ADD `data_sharing_changed_at` integer;--> statement-breakpoint
ALTER TABLE `cardholders` ADD `updated_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `cardholders_issuer_customer` ON `cardholders` (coalesce(`issuer_id`, 0),`customer_ref`);--> statement-breakpoint
CREATE INDEX `cardholders_phone` ON `cardholders` (`phone_on_file`);--> statement-breakpoint
CREATE INDEX `cardholders_birth_date` ON `cardholders` (`birth_date`);--> statement-breakpoint
ALTER TABLE `cards` ADD `corporate` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `cards` ADD `pin_hash` text;--> statement-breakpoint
CREATE INDEX `cards_last4` ON `cards` (`pan_last4`);--> statement-breakpoint
ALTER TABLE `issuers` ADD `approval_policy` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `issuers` ADD `approval_ttl_minutes` integer DEFAULT 1440 NOT NULL;--> statement-breakpoint
ALTER TABLE `members` ADD `lock_cause` text;--> statement-breakpoint
ALTER TABLE `members` ADD `phone_changed_at` integer;--> statement-breakpoint
ALTER TABLE `members` ADD `email` text;--> statement-breakpoint
ALTER TABLE `members` ADD `email_verified_at` integer;--> statement-breakpoint
CREATE INDEX `members_phone` ON `members` (`phone`);--> statement-breakpoint
ALTER TABLE `outbound_log` ADD `purpose` text;--> statement-breakpoint
ALTER TABLE `outbound_log` ADD `member_id` integer;--> statement-breakpoint
ALTER TABLE `transactions` ADD `pan_first6` text;--> statement-breakpoint
CREATE INDEX `transactions_issuer_created` ON `transactions` (`issuer_id`,`created_at`,`acs_trans_id`);--> statement-breakpoint
CREATE INDEX `transactions_pan_hash` ON `transactions` (`pan_hash`,`created_at`);--> statement-breakpoint
-- Existing cardholders belong to the issuer of their cards' BIN range (null stays the first issuer's).
UPDATE `cardholders` SET `updated_at` = `created_at`,
  `issuer_id` = (SELECT br.`issuer_id` FROM `cards` c JOIN `bin_ranges` br
                 ON length(br.`range_start`) <= 6 AND substr(c.`pan_first6`, 1, length(br.`range_start`)) BETWEEN br.`range_start` AND br.`range_end`
                 WHERE c.`cardholder_id` = `cardholders`.`id` ORDER BY br.`enabled` DESC, br.`id` LIMIT 1);--> statement-breakpoint
-- The trail searches by the first six digits; rows from before keep them from their card.
UPDATE `transactions` SET `pan_first6` = (SELECT c.`pan_first6` FROM `cards` c WHERE c.`id` = `transactions`.`card_id`) WHERE `card_id` IS NOT NULL;--> statement-breakpoint
UPDATE `members` SET `lock_cause` = 'attempts' WHERE `status` = 'locked';
