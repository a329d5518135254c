CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`channel` text NOT NULL,
	`channel_account_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`request` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`not_before` text NOT NULL,
	`last_error` text,
	`created_at` text NOT NULL,
	`sent_at` text,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_message_id_unique` ON `outbox` (`message_id`);--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`state`,`not_before`,`seq`);--> statement-breakpoint
CREATE TABLE `templates` (
	`id` text NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`language` text NOT NULL,
	`status` text NOT NULL,
	`category` text,
	`components` text,
	`parameter_counts` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `templates_name_language` ON `templates` (`account_id`,`name`,`language`);--> statement-breakpoint
ALTER TABLE `conversations` ADD `last_outbound_at` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `window_warned_for` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `idempotency_key` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `author` text;--> statement-breakpoint
CREATE UNIQUE INDEX `messages_idempotency` ON `messages` (`conversation_id`,`idempotency_key`);