CREATE TABLE `sms_breaker` (
	`id` integer PRIMARY KEY NOT NULL,
	`state` text DEFAULT 'closed' NOT NULL,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`opened_at` integer,
	`probe_started_at` integer,
	`last_error` text,
	`updated_at` integer NOT NULL
);
