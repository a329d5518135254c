CREATE TABLE `timers` (
	`id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`kind` text NOT NULL,
	`due_at` text NOT NULL,
	`state` text NOT NULL,
	`outcome` text,
	`created_at` text NOT NULL,
	`settled_at` text,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `timers_due` ON `timers` (`state`,`due_at`);--> statement-breakpoint
ALTER TABLE `conversations` ADD `waiting_since` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `auto_replied_for` text;--> statement-breakpoint
CREATE INDEX `conversations_waiting` ON `conversations` (`waiting_since`,`id`);