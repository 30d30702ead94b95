CREATE TABLE `login_attempts` (
	`email` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failed_at` integer NOT NULL,
	`locked_until` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `magic_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`requested_by_session_id` text,
	`consumed_at` integer,
	`consumed_by_session_id` text
);
--> statement-breakpoint
CREATE INDEX `magic_links_expires` ON `magic_links` (`expires_at`);--> statement-breakpoint
CREATE TABLE `merges` (
	`from_user_id` text PRIMARY KEY NOT NULL,
	`into_user_id` text NOT NULL,
	`report` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`to_email` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`link` text,
	`token` text,
	`sent_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbox_to_sent` ON `outbox` (`to_email`,`sent_at`);