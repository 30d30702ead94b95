CREATE TABLE `event_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `event_outbox_created` ON `event_outbox` (`created_at`);--> statement-breakpoint
ALTER TABLE `oauth_records` ADD `discovery_json` text;