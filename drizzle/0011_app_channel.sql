CREATE TABLE `app_sessions` (
	`acs_trans_id` text PRIMARY KEY NOT NULL,
	`sdk_trans_id` text NOT NULL,
	`key_cipher` text NOT NULL,
	`enc` text,
	`sdk_counter` integer DEFAULT 0 NOT NULL,
	`acs_counter` integer DEFAULT 0 NOT NULL,
	`rendering` text NOT NULL,
	`sdk_max_timeout` integer NOT NULL,
	`ui` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sandbox_signing` (
	`id` text PRIMARY KEY NOT NULL,
	`key_cipher` text NOT NULL,
	`chain_pem` text NOT NULL,
	`root_pem` text NOT NULL,
	`created_at` integer NOT NULL
);
