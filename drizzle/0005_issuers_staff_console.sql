CREATE TABLE `issuers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`name_ja` text NOT NULL,
	`name_en` text NOT NULL,
	`helpdesk_phone` text NOT NULL,
	`helpdesk_hours_ja` text DEFAULT '' NOT NULL,
	`helpdesk_hours_en` text DEFAULT '' NOT NULL,
	`logo` text NOT NULL,
	`brand_marks` text DEFAULT '{}' NOT NULL,
	`sms_sender_id` text,
	`sms_name_ja` text NOT NULL,
	`sms_name_en` text NOT NULL,
	`mail_from` text,
	`time_zone` text DEFAULT 'Asia/Tokyo' NOT NULL,
	`challenge_thresholds` text NOT NULL,
	`velocity_limit_per_hour` integer NOT NULL,
	`provisional_policy` text NOT NULL,
	`reissue_policy` text NOT NULL,
	`max_auth_attempts` integer NOT NULL,
	`otp_ttl_seconds` integer NOT NULL,
	`otp_resend_cooldown_seconds` integer NOT NULL,
	`otp_max_sends` integer NOT NULL,
	`phone_change_mode` text DEFAULT 'phone_call' NOT NULL,
	`maintenance_window` text,
	`portal_hosts` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `issuers_code_unique` ON `issuers` (`code`);--> statement-breakpoint
CREATE TABLE `staff_enrolments` (
	`id` text PRIMARY KEY NOT NULL,
	`staff_id` integer NOT NULL,
	`pending_totp_cipher` text,
	`password_set_at` integer,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `staff_enrolments_staff` ON `staff_enrolments` (`staff_id`);--> statement-breakpoint
CREATE TABLE `staff_recovery_codes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`staff_id` integer NOT NULL,
	`code_hash` text NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `staff_recovery_codes_staff` ON `staff_recovery_codes` (`staff_id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_staff` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`issuer_id` integer,
	`role` text NOT NULL,
	`status` text DEFAULT 'invited' NOT NULL,
	`password_hash` text,
	`totp_secret_cipher` text,
	`last_totp_step` integer,
	`failed_attempts` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`last_sign_in_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`issuer_id`) REFERENCES `issuers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- Staff rows from before (none are written by 0.1; kept anyway): an administrator becomes a platform
-- administrator, a locked account an active one (locks now expire), updated_at starts at created_at.
INSERT INTO `__new_staff`("id", "username", "display_name", "issuer_id", "role", "status", "password_hash", "totp_secret_cipher", "failed_attempts", "created_at", "updated_at")
	SELECT "id", "username", "display_name", NULL,
		CASE "role" WHEN 'administrator' THEN 'platform_admin' ELSE "role" END,
		CASE "status" WHEN 'locked' THEN 'active' ELSE "status" END,
		"password_hash", "totp_secret_cipher", "failed_attempts", "created_at", "created_at"
	FROM `staff`;--> statement-breakpoint
DROP TABLE `staff`;--> statement-breakpoint
ALTER TABLE `__new_staff` RENAME TO `staff`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `staff_username_unique` ON `staff` (`username`);--> statement-breakpoint
ALTER TABLE `audit_log` ADD `actor_name` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `issuer_id` integer;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `prev_hash` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `hash` text;--> statement-breakpoint
CREATE INDEX `audit_log_issuer_at` ON `audit_log` (`issuer_id`,`at`);--> statement-breakpoint
ALTER TABLE `bin_ranges` ADD `issuer_id` integer REFERENCES issuers(id);