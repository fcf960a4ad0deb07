CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` integer,
	`action` text NOT NULL,
	`target` text,
	`detail` text DEFAULT '{}' NOT NULL,
	`request_id` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `bin_ranges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand` text NOT NULL,
	`range_start` text NOT NULL,
	`range_end` text NOT NULL,
	`label` text DEFAULT '' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `cardholders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_ref` text NOT NULL,
	`name` text NOT NULL,
	`phone_on_file` text,
	`phone_provisional` integer DEFAULT false NOT NULL,
	`birth_date` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cardholders_customer_ref_unique` ON `cardholders` (`customer_ref`);--> statement-breakpoint
CREATE TABLE `cards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`pan_hash` text NOT NULL,
	`pan_cipher` text NOT NULL,
	`pan_first6` text NOT NULL,
	`pan_last4` text NOT NULL,
	`expiry` text NOT NULL,
	`brand` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`cardholder_id` integer NOT NULL,
	`replaced_by_card_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`cardholder_id`) REFERENCES `cardholders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cards_pan_hash` ON `cards` (`pan_hash`);--> statement-breakpoint
CREATE INDEX `cards_cardholder` ON `cards` (`cardholder_id`);--> statement-breakpoint
CREATE TABLE `challenges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`acs_trans_id` text NOT NULL,
	`method` text NOT NULL,
	`state` text DEFAULT 'started' NOT NULL,
	`challenge_window_size` text,
	`language` text DEFAULT 'ja' NOT NULL,
	`creq_digest` text,
	`send_count` integer DEFAULT 0 NOT NULL,
	`last_sent_at` integer,
	`created_at` integer NOT NULL,
	`last_activity_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `challenges_acs_trans_id_unique` ON `challenges` (`acs_trans_id`);--> statement-breakpoint
CREATE TABLE `mail_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recipient` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `members` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cardholder_id` integer NOT NULL,
	`login_id` text NOT NULL,
	`password_hash` text,
	`auth_method` text DEFAULT 'sms_otp' NOT NULL,
	`phone` text,
	`phone_status` text DEFAULT 'none' NOT NULL,
	`personal_message` text,
	`status` text DEFAULT 'provisional' NOT NULL,
	`failed_attempts` integer DEFAULT 0 NOT NULL,
	`locked_at` integer,
	`terms_accepted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`cardholder_id`) REFERENCES `cardholders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `members_login_id` ON `members` (`login_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `members_cardholder` ON `members` (`cardholder_id`);--> statement-breakpoint
CREATE TABLE `method_data` (
	`three_ds_server_trans_id` text PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `otps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`acs_trans_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `otps_trans` ON `otps` (`acs_trans_id`);--> statement-breakpoint
CREATE TABLE `outbound_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel` text NOT NULL,
	`acs_trans_id` text,
	`recipient` text NOT NULL,
	`provider` text NOT NULL,
	`status` text NOT NULL,
	`detail` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbound_log_trans` ON `outbound_log` (`acs_trans_id`);--> statement-breakpoint
CREATE TABLE `rate_counters` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `risk_rules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`params` text DEFAULT '{}' NOT NULL,
	`action` text NOT NULL,
	`score` integer DEFAULT 0 NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`priority` integer DEFAULT 100 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sessions_subject` ON `sessions` (`subject_type`,`subject_id`);--> statement-breakpoint
CREATE TABLE `sms_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recipient` text NOT NULL,
	`body` text NOT NULL,
	`otp_code` text,
	`acs_trans_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `staff` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`password_hash` text NOT NULL,
	`totp_secret_cipher` text,
	`role` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`failed_attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_username_unique` ON `staff` (`username`);--> statement-breakpoint
CREATE TABLE `timers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`acs_trans_id` text NOT NULL,
	`due_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`claimed_until` integer,
	`done_at` integer,
	`last_error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `timers_kind_trans` ON `timers` (`kind`,`acs_trans_id`);--> statement-breakpoint
CREATE INDEX `timers_due` ON `timers` (`done_at`,`due_at`);--> statement-breakpoint
CREATE TABLE `transaction_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`acs_trans_id` text NOT NULL,
	`direction` text NOT NULL,
	`message_type` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `transaction_messages_trans` ON `transaction_messages` (`acs_trans_id`);--> statement-breakpoint
CREATE TABLE `transactions` (
	`acs_trans_id` text PRIMARY KEY NOT NULL,
	`three_ds_server_trans_id` text NOT NULL,
	`ds_trans_id` text NOT NULL,
	`message_version` text NOT NULL,
	`device_channel` text NOT NULL,
	`message_category` text NOT NULL,
	`areq_digest` text NOT NULL,
	`card_id` integer,
	`member_id` integer,
	`pan_hash` text NOT NULL,
	`pan_cipher` text NOT NULL,
	`pan_last4` text NOT NULL,
	`brand` text NOT NULL,
	`purchase_amount` text,
	`purchase_currency` text,
	`purchase_exponent` integer,
	`merchant_name` text,
	`ds_url` text,
	`notification_url` text,
	`trans_status` text NOT NULL,
	`trans_status_reason` text,
	`final_trans_status` text,
	`final_trans_status_reason` text,
	`challenge_cancel` text,
	`eci` text,
	`authentication_value` text,
	`interaction_counter` integer DEFAULT 0 NOT NULL,
	`state` text NOT NULL,
	`challenge_method` text,
	`risk_score` integer,
	`risk_reasons` text,
	`areq` text NOT NULL,
	`ares` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `transactions_server_ds_ids` ON `transactions` (`three_ds_server_trans_id`,`ds_trans_id`);--> statement-breakpoint
CREATE INDEX `transactions_card_created` ON `transactions` (`card_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `transactions_created` ON `transactions` (`created_at`);