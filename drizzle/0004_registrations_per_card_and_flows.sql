-- One registration per card account (a card and the cards that reissue it), and the flow kernel.
-- Data: every card joins the account of the first card of its reissue chain; an existing member
-- (one per cardholder before) moves to the account of that cardholder's newest active card (else
-- its newest blocked card, else its newest card): the card in use keeps working even when a newer
-- one is blocked. The cardholder's other cards start unregistered. Each open
-- challenge becomes a flow whose id is its acsTransID, so its OTPs and timers keep their keys.
ALTER TABLE `otps` RENAME COLUMN "acs_trans_id" TO "flow_id";--> statement-breakpoint
ALTER TABLE `timers` RENAME COLUMN "acs_trans_id" TO "subject";--> statement-breakpoint
DROP INDEX `otps_trans`;--> statement-breakpoint
CREATE INDEX `otps_flow` ON `otps` (`flow_id`);--> statement-breakpoint
DROP INDEX `timers_kind_trans`;--> statement-breakpoint
CREATE UNIQUE INDEX `timers_kind_subject` ON `timers` (`kind`,`subject`);--> statement-breakpoint
CREATE TABLE `card_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cardholder_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`cardholder_id`) REFERENCES `cardholders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `card_accounts_cardholder` ON `card_accounts` (`cardholder_id`);--> statement-breakpoint
-- An account per chain, numbered as the chain's first card (a card no other card is replaced by).
INSERT INTO `card_accounts` (`id`, `cardholder_id`, `created_at`)
	SELECT c.`id`, c.`cardholder_id`, c.`created_at` FROM `cards` c
	WHERE NOT EXISTS (SELECT 1 FROM `cards` p WHERE p.`replaced_by_card_id` = c.`id`);--> statement-breakpoint
-- A cardholder with a member but no card keeps the member on an account of its own.
INSERT INTO `card_accounts` (`cardholder_id`, `created_at`)
	SELECT m.`cardholder_id`, m.`created_at` FROM `members` m
	WHERE NOT EXISTS (SELECT 1 FROM `cards` c WHERE c.`cardholder_id` = m.`cardholder_id`);--> statement-breakpoint
CREATE TABLE `__new_cards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`pan_hash` text NOT NULL,
	`pan_cipher` text NOT NULL,
	`pan_first6` text NOT NULL,
	`pan_last4` text NOT NULL,
	`expiry` text NOT NULL,
	`brand` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`cardholder_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`replaced_by_card_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`cardholder_id`) REFERENCES `cardholders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `card_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_cards` (`id`, `pan_hash`, `pan_cipher`, `pan_first6`, `pan_last4`, `expiry`, `brand`, `status`, `cardholder_id`, `account_id`, `replaced_by_card_id`, `created_at`, `updated_at`)
	WITH RECURSIVE `chain`(`card_id`, `root`) AS (
		SELECT `id`, `id` FROM `card_accounts`
		UNION ALL
		SELECT c.`replaced_by_card_id`, `chain`.`root` FROM `cards` c JOIN `chain` ON c.`id` = `chain`.`card_id` WHERE c.`replaced_by_card_id` IS NOT NULL
	)
	SELECT c.`id`, c.`pan_hash`, c.`pan_cipher`, c.`pan_first6`, c.`pan_last4`, c.`expiry`, c.`brand`, c.`status`, c.`cardholder_id`,
		COALESCE((SELECT MIN(`chain`.`root`) FROM `chain` WHERE `chain`.`card_id` = c.`id`), c.`id`),
		c.`replaced_by_card_id`, c.`created_at`, c.`updated_at`
	FROM `cards` c;--> statement-breakpoint
DROP TABLE `cards`;--> statement-breakpoint
ALTER TABLE `__new_cards` RENAME TO `cards`;--> statement-breakpoint
CREATE UNIQUE INDEX `cards_pan_hash` ON `cards` (`pan_hash`);--> statement-breakpoint
CREATE INDEX `cards_cardholder` ON `cards` (`cardholder_id`);--> statement-breakpoint
CREATE INDEX `cards_account` ON `cards` (`account_id`);--> statement-breakpoint
CREATE TABLE `__new_members` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`card_account_id` integer NOT NULL,
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
	FOREIGN KEY (`card_account_id`) REFERENCES `card_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_members`("id", "card_account_id", "login_id", "password_hash", "auth_method", "phone", "phone_status", "personal_message", "status", "failed_attempts", "locked_at", "terms_accepted_at", "created_at", "updated_at")
	SELECT m."id",
		COALESCE(
			(SELECT c.`account_id` FROM `cards` c WHERE c.`cardholder_id` = m.`cardholder_id` ORDER BY CASE c.`status` WHEN 'active' THEN 0 WHEN 'replaced' THEN 2 ELSE 1 END, c.`id` DESC LIMIT 1),
			(SELECT a.`id` FROM `card_accounts` a WHERE a.`cardholder_id` = m.`cardholder_id` ORDER BY a.`id` DESC LIMIT 1)
		),
		m."login_id", m."password_hash", m."auth_method", m."phone", m."phone_status", m."personal_message", m."status", m."failed_attempts", m."locked_at", m."terms_accepted_at", m."created_at", m."updated_at"
	FROM `members` m;--> statement-breakpoint
DROP TABLE `members`;--> statement-breakpoint
ALTER TABLE `__new_members` RENAME TO `members`;--> statement-breakpoint
CREATE UNIQUE INDEX `members_login_id` ON `members` (`login_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `members_card_account` ON `members` (`card_account_id`);--> statement-breakpoint
CREATE TABLE `flows` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`state` text NOT NULL,
	`send_count` integer DEFAULT 0 NOT NULL,
	`last_sent_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `flows_kind_subject` ON `flows` (`kind`,`subject`);--> statement-breakpoint
CREATE INDEX `flows_expires` ON `flows` (`expires_at`);--> statement-breakpoint
INSERT INTO `flows` (`id`, `kind`, `subject`, `state`, `send_count`, `last_sent_at`, `created_at`, `updated_at`, `expires_at`)
	SELECT `acs_trans_id`, 'challenge', `acs_trans_id`, `state`, `send_count`, `last_sent_at`, `created_at`, `last_activity_at`, `expires_at` FROM `challenges`;--> statement-breakpoint
CREATE TABLE `__new_challenges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`acs_trans_id` text NOT NULL,
	`flow_id` text NOT NULL,
	`method` text NOT NULL,
	`challenge_window_size` text,
	`language` text DEFAULT 'ja' NOT NULL,
	`creq_digest` text,
	`created_at` integer NOT NULL,
	`last_activity_at` integer NOT NULL,
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_challenges` (`id`, `acs_trans_id`, `flow_id`, `method`, `challenge_window_size`, `language`, `creq_digest`, `created_at`, `last_activity_at`)
	SELECT `id`, `acs_trans_id`, `acs_trans_id`, `method`, `challenge_window_size`, `language`, `creq_digest`, `created_at`, `last_activity_at` FROM `challenges`;--> statement-breakpoint
DROP TABLE `challenges`;--> statement-breakpoint
ALTER TABLE `__new_challenges` RENAME TO `challenges`;--> statement-breakpoint
CREATE UNIQUE INDEX `challenges_acs_trans_id_unique` ON `challenges` (`acs_trans_id`);
