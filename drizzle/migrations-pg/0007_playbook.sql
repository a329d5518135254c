CREATE TABLE "timers" (
	"id" text PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"kind" text NOT NULL,
	"due_at" text NOT NULL,
	"state" text NOT NULL,
	"outcome" text,
	"created_at" text NOT NULL,
	"settled_at" text
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "waiting_since" text;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "auto_replied_for" text;--> statement-breakpoint
ALTER TABLE "timers" ADD CONSTRAINT "timers_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "timers_due" ON "timers" USING btree ("state","due_at");--> statement-breakpoint
CREATE INDEX "conversations_waiting" ON "conversations" USING btree ("waiting_since","id");