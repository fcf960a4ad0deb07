CREATE INDEX `transactions_issuer_last4` ON `transactions` (`issuer_id`,`pan_last4`,`created_at`,`acs_trans_id`);--> statement-breakpoint
CREATE INDEX `transactions_issuer_status` ON `transactions` (`issuer_id`,`trans_status`,`created_at`,`acs_trans_id`);--> statement-breakpoint
CREATE INDEX `transactions_ds_trans_id` ON `transactions` (`ds_trans_id`);