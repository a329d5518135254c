CREATE TABLE `widget_campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`text` text,
	`scans` integer DEFAULT 0 NOT NULL,
	`last_scan_at` text,
	`managed_qr_code` text,
	`managed_qr_link` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
