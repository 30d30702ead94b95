ALTER TABLE `magic_links` ADD `purpose` text DEFAULT 'sign_in' NOT NULL;--> statement-breakpoint
ALTER TABLE `magic_links` ADD `invalidated_at` integer;--> statement-breakpoint
ALTER TABLE `magic_links` ADD `code_hash` text;--> statement-breakpoint
ALTER TABLE `magic_links` ADD `code_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `magic_links` ADD `code_consumed_at` integer;--> statement-breakpoint
CREATE INDEX `magic_links_email_created` ON `magic_links` (`email`,`created_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `email_verified_at` integer;--> statement-breakpoint
-- Accounts that have signed in by email link have proven their mailbox: the audit log says when.
UPDATE `users` SET `email_verified_at` = (SELECT min(`at`) FROM `audit_events` WHERE `audit_events`.`user_id` = `users`.`id` AND `audit_events`.`type` = 'magic_link.verified') WHERE `is_anonymous` = 0 AND `email_verified_at` IS NULL;--> statement-breakpoint
-- ADMIN_EMAILS used to grant the role at registration, before any proof: an admin whose email was
-- never proven loses the role until a sign-in link proves it.
UPDATE `users` SET `role` = 'user' WHERE `role` = 'admin' AND `email_verified_at` IS NULL AND `email` IS NOT NULL;
