CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`role` text NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`handle` text NOT NULL,
	`wa_id` text,
	`user_id` text,
	`name` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_channel_wa_id` ON `contacts` (`channel`,`wa_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_channel_user_id` ON `contacts` (`channel`,`user_id`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`channel_account_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`status` text NOT NULL,
	`team` text,
	`assignee` text,
	`created_at` text NOT NULL,
	`last_message_at` text NOT NULL,
	`window_expires_at` text,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_account_contact` ON `conversations` (`channel`,`channel_account_id`,`contact_id`);--> statement-breakpoint
CREATE INDEX `conversations_activity` ON `conversations` (`last_message_at`,`id`);--> statement-breakpoint
CREATE TABLE `inbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`channel` text NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`received_at` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`processed_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_key_unique` ON `inbox` (`key`);--> statement-breakpoint
CREATE INDEX `inbox_state` ON `inbox` (`state`,`seq`);--> statement-breakpoint
CREATE INDEX `inbox_received` ON `inbox` (`received_at`);--> statement-breakpoint
CREATE TABLE `messages` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`direction` text NOT NULL,
	`type` text NOT NULL,
	`dedupe_key` text,
	`provider_message_id` text,
	`created_at` text NOT NULL,
	`status` text NOT NULL,
	`text` text,
	`reply_to` text,
	`content` text DEFAULT '{}' NOT NULL,
	`error` text,
	`flags` text DEFAULT '[]' NOT NULL,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_id_unique` ON `messages` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_dedupe_key_unique` ON `messages` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `messages_conversation` ON `messages` (`conversation_id`,`created_at`,`seq`);--> statement-breakpoint
CREATE INDEX `messages_provider_id` ON `messages` (`provider_message_id`);--> statement-breakpoint
CREATE TABLE `orphan_statuses` (
	`key` text PRIMARY KEY NOT NULL,
	`provider_message_id` text NOT NULL,
	`status` text NOT NULL,
	`timestamp` text NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `orphan_statuses_message` ON `orphan_statuses` (`provider_message_id`);