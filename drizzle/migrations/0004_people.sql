CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text,
	`active` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`deactivated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agents_email_unique` ON `agents` (`email`);--> statement-breakpoint
CREATE TABLE `team_members` (
	`team_id` text NOT NULL,
	`agent_id` text NOT NULL,
	PRIMARY KEY(`team_id`, `agent_id`),
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `team_members_agent` ON `team_members` (`agent_id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_name_unique` ON `teams` (`name`);--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `origin` text DEFAULT 'api' NOT NULL;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `agent_id` text REFERENCES agents(id);--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `revoked_at` text;--> statement-breakpoint
CREATE INDEX `api_tokens_agent` ON `api_tokens` (`agent_id`);--> statement-breakpoint
UPDATE `api_tokens` SET `origin` = 'generated' WHERE `name` = 'generated';--> statement-breakpoint
UPDATE `api_tokens` SET `origin` = 'env' WHERE `name` = 'LOKET_ADMIN_TOKEN';