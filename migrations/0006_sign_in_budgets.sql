CREATE TABLE `__new_login_attempts` (
	`email` text NOT NULL,
	`device_id` text DEFAULT '' NOT NULL,
	`failures` integer NOT NULL,
	`last_failed_at` integer NOT NULL,
	`locked_until` integer NOT NULL,
	PRIMARY KEY(`email`, `device_id`)
);
--> statement-breakpoint
INSERT INTO `__new_login_attempts`("email", "device_id", "failures", "last_failed_at", "locked_until") SELECT "email", '', "failures", "last_failed_at", "locked_until" FROM `login_attempts`;--> statement-breakpoint
DROP TABLE `login_attempts`;--> statement-breakpoint
ALTER TABLE `__new_login_attempts` RENAME TO `login_attempts`;--> statement-breakpoint
ALTER TABLE `magic_links` ADD `requested_by_device_id` text;
