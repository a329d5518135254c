-- Text search for the conversation list (`q`): FTS5 trigram indexes over message texts and
-- contacts' names and handles, external-content (no copy of the text), kept by triggers.
-- Trigrams find any substring of 3 or more characters, case-insensitively.
CREATE VIRTUAL TABLE `message_search` USING fts5(`text`, `conversation_id` UNINDEXED, content='messages', content_rowid='seq', tokenize='trigram');--> statement-breakpoint
INSERT INTO `message_search`(`message_search`) VALUES ('rebuild');--> statement-breakpoint
CREATE TRIGGER `messages_search_insert` AFTER INSERT ON `messages` BEGIN
  INSERT INTO `message_search`(rowid, `text`, `conversation_id`) VALUES (new.`seq`, new.`text`, new.`conversation_id`);
END;--> statement-breakpoint
CREATE TRIGGER `messages_search_delete` AFTER DELETE ON `messages` BEGIN
  INSERT INTO `message_search`(`message_search`, rowid, `text`, `conversation_id`) VALUES ('delete', old.`seq`, old.`text`, old.`conversation_id`);
END;--> statement-breakpoint
CREATE TRIGGER `messages_search_update` AFTER UPDATE OF `text`, `conversation_id` ON `messages` BEGIN
  INSERT INTO `message_search`(`message_search`, rowid, `text`, `conversation_id`) VALUES ('delete', old.`seq`, old.`text`, old.`conversation_id`);
  INSERT INTO `message_search`(rowid, `text`, `conversation_id`) VALUES (new.`seq`, new.`text`, new.`conversation_id`);
END;--> statement-breakpoint
CREATE VIRTUAL TABLE `contact_search` USING fts5(`name`, `handle`, content='contacts', tokenize='trigram');--> statement-breakpoint
INSERT INTO `contact_search`(`contact_search`) VALUES ('rebuild');--> statement-breakpoint
CREATE TRIGGER `contacts_search_insert` AFTER INSERT ON `contacts` BEGIN
  INSERT INTO `contact_search`(rowid, `name`, `handle`) VALUES (new.rowid, new.`name`, new.`handle`);
END;--> statement-breakpoint
CREATE TRIGGER `contacts_search_delete` AFTER DELETE ON `contacts` BEGIN
  INSERT INTO `contact_search`(`contact_search`, rowid, `name`, `handle`) VALUES ('delete', old.rowid, old.`name`, old.`handle`);
END;--> statement-breakpoint
CREATE TRIGGER `contacts_search_update` AFTER UPDATE OF `name`, `handle` ON `contacts` BEGIN
  INSERT INTO `contact_search`(`contact_search`, rowid, `name`, `handle`) VALUES ('delete', old.rowid, old.`name`, old.`handle`);
  INSERT INTO `contact_search`(rowid, `name`, `handle`) VALUES (new.rowid, new.`name`, new.`handle`);
END;
