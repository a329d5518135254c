CREATE TABLE "sign_in_failures" (
	"id" text PRIMARY KEY NOT NULL,
	"key_hash" text NOT NULL,
	"failed_at" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "sign_in_failures_key" ON "sign_in_failures" USING btree ("key_hash","failed_at");--> statement-breakpoint
CREATE INDEX "sign_in_failures_at" ON "sign_in_failures" USING btree ("failed_at");