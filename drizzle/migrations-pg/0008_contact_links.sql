ALTER TABLE "contacts" ADD COLUMN "resident_id" text;--> statement-breakpoint
CREATE INDEX "contacts_resident" ON "contacts" USING btree ("resident_id");