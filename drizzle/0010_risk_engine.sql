CREATE TABLE `card_risk_state` (
	`card_id` integer PRIMARY KEY NOT NULL,
	`hour_window_start` integer DEFAULT 0 NOT NULL,
	`hour_count` integer DEFAULT 0 NOT NULL,
	`prev_hour_count` integer DEFAULT 0 NOT NULL,
	`day_window_start` integer DEFAULT 0 NOT NULL,
	`day_count` integer DEFAULT 0 NOT NULL,
	`prev_day_count` integer DEFAULT 0 NOT NULL,
	`consecutive_frictionless` integer DEFAULT 0 NOT NULL,
	`frictionless_amount_home` integer DEFAULT 0 NOT NULL,
	`last_challenge_at` integer,
	`failed_challenges_day_start` integer DEFAULT 0 NOT NULL,
	`failed_challenges_day_count` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `card_seen` (
	`card_id` integer NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`count` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`card_id`, `kind`, `value`)
);
--> statement-breakpoint
CREATE INDEX `card_seen_last` ON `card_seen` (`card_id`,`kind`,`last_seen`);--> statement-breakpoint
CREATE TABLE `risk_provider_breaker` (
	`issuer_id` integer PRIMARY KEY NOT NULL,
	`state` text DEFAULT 'closed' NOT NULL,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`opened_at` integer,
	`probe_started_at` integer,
	`last_error` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `risk_rule_sets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issuer_id` integer NOT NULL,
	`version` integer NOT NULL,
	`state` text NOT NULL,
	`rule_set` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`based_on` integer,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`published_by` integer,
	`published_at` integer,
	FOREIGN KEY (`issuer_id`) REFERENCES `issuers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`published_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `risk_rule_sets_issuer_version` ON `risk_rule_sets` (`issuer_id`,`version`);--> statement-breakpoint
CREATE INDEX `risk_rule_sets_issuer_state` ON `risk_rule_sets` (`issuer_id`,`state`,`version`);--> statement-breakpoint
DROP TABLE `risk_rules`;--> statement-breakpoint
ALTER TABLE `issuers` ADD `home_currency` text DEFAULT '392' NOT NULL;--> statement-breakpoint
ALTER TABLE `issuers` ADD `currency_rates` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `issuers` ADD `risk_provider` text;--> statement-breakpoint
ALTER TABLE `transactions` ADD `risk_version` integer;--> statement-breakpoint
ALTER TABLE `transactions` ADD `risk_detail` text;