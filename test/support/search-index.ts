/**
 * Looks at the conversation search's indexes (drizzle/SearchIndexer.ts) from a connection of the
 * test's own, and builds the migrations as they stood before the batched index (for upgrade tests
 * and the bench's before/after).
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import BetterSqlite from "better-sqlite3"
import { migrationsFolder } from "../../drizzle/sqlite.ts"

/** The migrations that made the index follow the writes in batches. */
export const BATCHED_INDEX_MIGRATIONS = ["0013_search_behind", "0014_contact_search_behind"]

/** A copy of the migrations in `dir` without `tags` (newest last, so the copy is a consistent earlier state). */
export function migrationsWithout(dir: string, tags: ReadonlyArray<string> = BATCHED_INDEX_MIGRATIONS): string {
  cpSync(migrationsFolder, dir, { recursive: true })
  for (const tag of tags) rmSync(join(dir, `${tag}.sql`))
  const journal = JSON.parse(readFileSync(join(dir, "meta/_journal.json"), "utf8")) as { entries: Array<{ tag: string }> }
  journal.entries = journal.entries.filter((e) => !tags.includes(e.tag))
  writeFileSync(join(dir, "meta/_journal.json"), JSON.stringify(journal))
  return dir
}

/** One read (or, with `write`, one statement) on the database file at `path`, from a connection opened for it. */
function once<A>(path: string, f: (db: BetterSqlite.Database) => A, write = false): A {
  const db = new BetterSqlite(path, { readonly: !write })
  try {
    return f(db)
  } finally {
    db.close()
  }
}
const count = (path: string, sql: string, ...params: Array<unknown>) => once(path, (db) => (db.prepare(sql).get(...params) as { n: number }).n)

/** How many messages the index itself finds for `phrase` (not the list's query, which also reads what waits). */
export const messagesIndexed = (path: string, phrase: string) => count(path, "select count(*) as n from message_search where message_search match ?", `"${phrase}"`)
/** How many contacts the contacts' index finds for `phrase`. */
export const contactsIndexed = (path: string, phrase: string) => count(path, "select count(*) as n from contact_search where contact_search match ?", `"${phrase}"`)
/** The last message seq in the index. */
export const messageMark = (path: string) => count(path, "select upto as n from search_progress where name = 'messages'")
/** Contacts written and not yet added to the index. */
export const pendingContacts = (path: string) => count(path, "select count(*) as n from contact_search_pending")
/** FTS5's own check of an index against its table (all of it: once the indexer has caught up); throws when they disagree. */
export const integrityCheck = (path: string, index: "message_search" | "contact_search") =>
  once(path, (db) => {
    db.prepare(`insert into ${index}(${index}, rank) values ('integrity-check', 1)`).run()
    return "ok"
  }, true)
