ALTER TABLE `contacts` ADD `resident_id` text;--> statement-breakpoint
CREATE INDEX `contacts_resident` ON `contacts` (`resident_id`);