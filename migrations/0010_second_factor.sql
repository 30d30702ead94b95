CREATE TABLE `recovery_codes` (
	`user_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`used_at` integer,
	PRIMARY KEY(`user_id`, `code_hash`)
);
--> statement-breakpoint
CREATE TABLE `second_factors` (
	`user_id` text PRIMARY KEY NOT NULL,
	`totp_secret_sealed` text NOT NULL,
	`created_at` integer NOT NULL,
	`confirmed_at` integer,
	`last_step` integer,
	`last_used_at` integer,
	`tries` integer DEFAULT 0 NOT NULL,
	`tries_since` integer DEFAULT 0 NOT NULL,
	`challenges_valid_from` integer DEFAULT 0 NOT NULL
);
