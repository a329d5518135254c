/**
 * The durable floor's writer (./durable-floor.ts): its SQLite file, its rows in raw SQL, group commit per
 * turn of the event loop and fsync of the write-ahead log off the event loop. Used in the floor's own
 * thread, or (FLOOR_WRITER=worker) in a worker thread of its own (./durable-floor-writer.ts).
 */
import { fsync, openSync } from "node:fs"
import BetterSqlite from "better-sqlite3"
import { drizzle } from "drizzle-orm/better-sqlite3"
import { migrate } from "drizzle-orm/better-sqlite3/migrator"
import * as schema from "../../drizzle/schema.ts"
import { makeSearchIndexStep } from "../../drizzle/search-index-step.ts"
import { migrationsFolder } from "../../drizzle/sqlite.ts"

export type WaMessage = { id: string; from: string; timestamp: string; text?: { body: string } }
export type Incoming = { message: WaMessage; account: string; name: string }

/** Keeps this thread on the CPU for `us` microseconds: a stand-in for work of that cost. */
function spin(us: number) {
  const until = performance.now() + us / 1000
  while (performance.now() < until) { /* on the CPU */ }
}

/**
 * Opens (and migrates) the floor's database; `store` resolves once the messages' commit is flushed.
 * `extraUs` > 0 (with `full`): Loket's shape, a model of Loket at its cost: the webhook's commit keeps the
 * inbox rows only, and after it each message costs `extraUs` of CPU (Loket's own work: actors, Effect,
 * drizzle) and gets its contact, conversation and message rows, as Loket's conversation actors do.
 */
export function makeFloorStore(path: string, full: boolean, extraUs = 0): { readonly store: (messages: ReadonlyArray<Incoming>) => Promise<void> } {
  const db = new BetterSqlite(path)
  for (const pragma of ["journal_mode = WAL", "synchronous = NORMAL"]) db.pragma(pragma)
  migrate(drizzle({ client: db, schema }), { migrationsFolder })
  const insertInbox = db.prepare("insert into inbox (key, channel, kind, payload, received_at, state) values (?, 'whatsapp', 'message', ?, ?, 'pending') on conflict do nothing")
  const insertContact = db.prepare("insert into contacts (id, channel, handle, wa_id, user_id, name, created_at, updated_at) values (?, 'whatsapp', ?, ?, null, ?, ?, ?)")
  const insertConversation = db.prepare("insert into conversations (id, channel, channel_account_id, contact_id, status, created_at, last_message_at, window_expires_at) values (?, 'whatsapp', ?, ?, 'open', ?, ?, ?)")
  const insertMessage = db.prepare("insert into messages (id, conversation_id, direction, type, dedupe_key, provider_message_id, created_at, status, text, flags) values (?, ?, 'inbound', 'text', ?, ?, ?, 'received', ?, '[]') on conflict do nothing")
  const markDone = db.prepare("update inbox set state = 'done', processed_at = ? where seq = ?")
  let ids = 0
  const id = (prefix: string) => `${prefix}_${Date.now().toString(32)}${(ids++).toString(32).padStart(8, "0")}`

  /** Contact, conversation and message for an inbox row, which is marked done. */
  function writeRows({ message, account, name }: Incoming, key: string, seq: number | bigint, now: string) {
    const at = new Date(Number(message.timestamp) * 1000).toISOString()
    const contact = id("ctc")
    const conversation = id("cnv")
    insertContact.run(contact, message.from, message.from, name, now, now)
    insertConversation.run(conversation, account, contact, now, at, new Date(Date.parse(at) + 86_400_000).toISOString())
    insertMessage.run(id("msg"), conversation, key, message.id, at, message.text?.body ?? null)
    markDone.run(now, seq)
  }

  /** Loket's shape (`extraUs` > 0): inbox rows the webhook's commit kept, applied after it. */
  type Kept = { readonly incoming: Incoming; readonly key: string; readonly seq: number | bigint; readonly now: string }
  let kept: Array<Kept> = []
  let toApply: Array<Kept> = []

  function write(incoming: Incoming) {
    const now = new Date().toISOString()
    const key = `whatsapp:msg:${incoming.message.id}`
    const { lastInsertRowid: seq, changes } = insertInbox.run(key, JSON.stringify(incoming.message), now)
    if (!full || changes === 0) return
    if (extraUs > 0) kept.push({ incoming, key, seq, now })
    else writeRows(incoming, key, seq, now)
  }
  const begin = db.prepare("begin immediate")
  const commit = db.prepare("commit")
  /** Runs `write` in the turn's open transaction, else in one of its own; true when it had its own. */
  const inTransaction = (write: () => void): boolean => {
    const own = waiting.length === 0 // a turn's transaction is open while webhooks wait for it: join it
    if (own) begin.run()
    write()
    if (own) commit.run()
    return own
  }
  let wal: number | undefined
  const flush = (then: () => void) => {
    wal ??= openSync(`${path}-wal`, "r")
    fsync(wal, then)
  }

  /** Webhooks written in this turn, answered once their commit is flushed. */
  let waiting: Array<() => void> = []
  function flushTurn() {
    commit.run()
    const done = waiting
    waiting = []
    flush(() => done.forEach((resolve) => resolve()))
    if (kept.length > 0) {
      if (toApply.length === 0) setImmediate(applyKept)
      for (const item of kept) toApply.push(item)
      kept = []
    }
  }

  /**
   * As Loket's conversation actors do after the webhook's commit: each kept message costs `extraUs` of CPU
   * (Loket's own work) and gets its rows, in one transaction (or the open turn's), flushed like any commit.
   */
  function applyKept() {
    // At most 64 a step, so that webhooks are read between steps (as Effect's fibers interleave).
    const batch = toApply.splice(0, 64)
    if (toApply.length > 0) setImmediate(applyKept)
    const own = inTransaction(() => {
      for (const { incoming, key, seq, now } of batch) {
        spin(extraUs)
        writeRows(incoming, key, seq, now)
      }
    })
    if (own) flush(() => {})
  }

  // The search indexes, as drizzle/SearchIndexer.ts keeps them (its very statements): batches of up to 500, at most 4 a tick, every 250 ms.
  if (full) {
    const index = makeSearchIndexStep((sql) => db.prepare(sql) as never)
    setInterval(() => {
      for (let i = 0; i < 4 && index.waiting(); i++) {
        let added = 0
        inTransaction(() => void (added = index.run(500)))
        if (added < 500) break
      }
    }, 250).unref()
  }

  return {
    store: (messages) => {
      if (waiting.length === 0) {
        begin.run()
        setImmediate(flushTurn)
      }
      for (const message of messages) write(message)
      return new Promise((resolve) => waiting.push(resolve))
    }
  }
}
