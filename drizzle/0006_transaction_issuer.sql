ALTER TABLE `mail_outbox` ADD `sender` text;--> statement-breakpoint
ALTER TABLE `sms_outbox` ADD `sender` text;--> statement-breakpoint
ALTER TABLE `transactions` ADD `issuer_id` integer;