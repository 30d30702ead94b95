CREATE TABLE `documents` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`title` text NOT NULL,
	`content` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `documents_user_created` ON `documents` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `imports` (
	`import_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `oauth_records` (
	`user_id` text NOT NULL,
	`server_id` text NOT NULL,
	`tokens_sealed` text,
	`client_sealed` text,
	`verifier_sealed` text,
	`verifier_expires_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `server_id`)
);
--> statement-breakpoint
CREATE INDEX `oauth_records_verifier_expires` ON `oauth_records` (`verifier_expires_at`);--> statement-breakpoint
CREATE TABLE `preferences` (
	`user_id` text PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `secrets` (
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`value_sealed` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `sweep_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`counts` text NOT NULL,
	`complete` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sweep_runs_started` ON `sweep_runs` (`started_at`);