/**
 * What the conversation search's index costs per message written: a trigger per inserted message
 * (migrations up to 0012) against batches a moment later (0013_search_behind, drizzle/SearchIndexer.ts).
 * Not part of `npm run bench`: run it by hand with
 *   npx tsx test/bench/search-index-cost.ts [messages=20000]
 * Both write Loket's message rows in transactions of 17 (what the ingest benchmark's group commit
 * gathers at 64 webhooks in flight), with a text like the benchmark's; rounds alternate.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import BetterSqlite from "better-sqlite3"
import { drizzle } from "drizzle-orm/better-sqlite3"
import { migrate } from "drizzle-orm/better-sqlite3/migrator"
import * as schema from "../../drizzle/schema.ts"
import { migrationsFolder } from "../../drizzle/sqlite.ts"
import { makeSearchIndexStep } from "../../drizzle/search-index-step.ts"
import { STEP } from "../../drizzle/SearchIndexer.ts"
import { migrationsWithout } from "../support/search-index.ts"

const N = Number(process.argv[2] ?? 20_000)
const PER_COMMIT = 17
const TEXT = "Goedemiddag, wanneer wordt het grofvuil in onze straat opgehaald? Ik heb een oude bank en twee matrassen."
const dir = mkdtempSync(join(tmpdir(), "loket-search-cost-"))
// The migrations as they stood before 0013 (a trigger per message and per contact).
const before = migrationsWithout(join(dir, "migrations-0012"))

function round(kind: "trigger" | "batched", n: number) {
  const path = join(dir, `${kind}-${n}.db`)
  const db = new BetterSqlite(path)
  for (const pragma of ["journal_mode = WAL", "synchronous = NORMAL", "temp_store = MEMORY", "foreign_keys = ON"]) db.pragma(pragma)
  migrate(drizzle({ client: db, schema }), { migrationsFolder: kind === "trigger" ? before : migrationsFolder })
  db.exec("insert into contacts (id, channel, handle, wa_id, created_at, updated_at) values ('ct', 'whatsapp', 'h', 'w', 'x', 'x')")
  db.exec("insert into conversations (id, channel, channel_account_id, contact_id, status, created_at, last_message_at) values ('cv', 'whatsapp', 'a', 'ct', 'open', 'x', 'x')")
  const insert = db.prepare("insert into messages (id, conversation_id, direction, type, created_at, status, text) values (?, 'cv', 'inbound', 'text', 'x', 'received', ?)")
  const index = kind === "trigger" ? undefined : makeSearchIndexStep((sql) => db.prepare(sql) as never)
  const t0 = performance.now()
  for (let i = 0; i < N; i += PER_COMMIT) {
    db.exec("begin immediate")
    for (let j = i; j < Math.min(N, i + PER_COMMIT); j++) insert.run(`m${j}`, `${j} ${TEXT}`)
    db.exec("commit")
  }
  const written = performance.now() - t0
  if (index !== undefined) {
    for (;;) {
      db.exec("begin immediate")
      const added = index.run(STEP)
      db.exec("commit")
      if (added < STEP) break
    }
  }
  const total = performance.now() - t0
  const found = (db.prepare("select count(*) as n from message_search where message_search match ?").get('"grofvuil"') as { n: number }).n
  db.close()
  return { written: (written * 1000) / N, total: (total * 1000) / N, found }
}

console.log(`${N.toLocaleString("en-US")} messages, ${PER_COMMIT} a transaction; µs per message (written / with the index up to date)`)
for (let n = 0; n < 3; n++) {
  for (const kind of ["trigger", "batched"] as const) {
    const r = round(kind, n)
    console.log(`  ${kind.padEnd(8)} ${r.written.toFixed(1).padStart(6)} / ${r.total.toFixed(1).padStart(6)}  (found ${r.found})`)
  }
}
rmSync(dir, { recursive: true, force: true })
