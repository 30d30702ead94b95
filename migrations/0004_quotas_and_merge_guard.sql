ALTER TABLE `documents` ADD `size_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `documents_user_size` ON `documents` (`user_id`,`size_bytes`);--> statement-breakpoint
ALTER TABLE `users` ADD `merge_started_at` integer;--> statement-breakpoint
-- Existing documents: their size as the service now computes it (UTF-8 bytes of title and content).
UPDATE `documents` SET `size_bytes` = length(CAST(`title` AS BLOB)) + length(CAST(`content` AS BLOB));
