CREATE TABLE "widget_campaigns" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"text" text,
	"scans" integer DEFAULT 0 NOT NULL,
	"last_scan_at" text,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL
);
