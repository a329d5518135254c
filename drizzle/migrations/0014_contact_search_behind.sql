-- Contacts reach the search index (`contact_search`) in batches too (drizzle/SearchIndexer.ts), like
-- messages (0013): a trigger per new contact cost about 40 µs of its transaction (FTS5's flush per
-- statement), and a campaign's QR code can bring many new residents at once. Contacts have no
-- monotonic key to keep a mark by (a rowid can be used again), so a new contact's rowid waits in
-- `contact_search_pending` until it is added; the search reads the pending ones directly
-- (gateway/api/conversations/queries.ts). A contact not yet added has nothing to take out of the index.
CREATE TABLE `contact_search_pending` (
  `contact_rowid` integer PRIMARY KEY NOT NULL
);--> statement-breakpoint
DROP TRIGGER `contacts_search_insert`;--> statement-breakpoint
CREATE TRIGGER `contacts_search_insert` AFTER INSERT ON `contacts` BEGIN
  INSERT OR IGNORE INTO `contact_search_pending`(`contact_rowid`) VALUES (new.rowid);
END;--> statement-breakpoint
DROP TRIGGER `contacts_search_delete`;--> statement-breakpoint
CREATE TRIGGER `contacts_search_delete` AFTER DELETE ON `contacts` BEGIN
  INSERT INTO `contact_search`(`contact_search`, rowid, `name`, `handle`)
    SELECT 'delete', old.rowid, old.`name`, old.`handle`
    WHERE NOT EXISTS (SELECT 1 FROM `contact_search_pending` WHERE `contact_rowid` = old.rowid);
  DELETE FROM `contact_search_pending` WHERE `contact_rowid` = old.rowid;
END;--> statement-breakpoint
DROP TRIGGER `contacts_search_update`;--> statement-breakpoint
CREATE TRIGGER `contacts_search_update` AFTER UPDATE OF `name`, `handle` ON `contacts`
WHEN NOT EXISTS (SELECT 1 FROM `contact_search_pending` WHERE `contact_rowid` = old.rowid) BEGIN
  INSERT INTO `contact_search`(`contact_search`, rowid, `name`, `handle`) VALUES ('delete', old.rowid, old.`name`, old.`handle`);
  INSERT INTO `contact_search`(rowid, `name`, `handle`) VALUES (new.rowid, new.`name`, new.`handle`);
END;
