-- Message texts are added to the search index in batches a moment after they are written
-- (drizzle/SearchIndexer.ts), not by a trigger per row: FTS5 flushes its pending terms at every
-- statement's savepoint, so a trigger per inserted message cost about 200 µs of the webhook's
-- transaction, against about 25 µs a message in batches (test/bench/search-index-cost.ts).
-- `search_progress.upto` is the last message seq in the index; the list's search also reads the
-- few messages after it directly (gateway/api/conversations/queries.ts), so nothing is missed.
CREATE TABLE `search_progress` (
  `name` text PRIMARY KEY NOT NULL,
  `upto` integer NOT NULL
);--> statement-breakpoint
-- Every message written so far is in the index (the old trigger put it there).
INSERT INTO `search_progress` (`name`, `upto`) VALUES ('messages', (SELECT coalesce(max(`seq`), 0) FROM `messages`));--> statement-breakpoint
DROP TRIGGER `messages_search_insert`;--> statement-breakpoint
-- A message not yet in the index has nothing to take out of it (and its new text is read when it is added).
DROP TRIGGER `messages_search_delete`;--> statement-breakpoint
CREATE TRIGGER `messages_search_delete` AFTER DELETE ON `messages`
WHEN old.`seq` <= (SELECT `upto` FROM `search_progress` WHERE `name` = 'messages') BEGIN
  INSERT INTO `message_search`(`message_search`, rowid, `text`, `conversation_id`) VALUES ('delete', old.`seq`, old.`text`, old.`conversation_id`);
END;--> statement-breakpoint
DROP TRIGGER `messages_search_update`;--> statement-breakpoint
CREATE TRIGGER `messages_search_update` AFTER UPDATE OF `text`, `conversation_id` ON `messages`
WHEN old.`seq` <= (SELECT `upto` FROM `search_progress` WHERE `name` = 'messages') BEGIN
  INSERT INTO `message_search`(`message_search`, rowid, `text`, `conversation_id`) VALUES ('delete', old.`seq`, old.`text`, old.`conversation_id`);
  INSERT INTO `message_search`(rowid, `text`, `conversation_id`) VALUES (new.`seq`, new.`text`, new.`conversation_id`);
END;
