/**
 * The floor for the ingest benchmark, run as a child process: the least a webhook receiver that
 * keeps Meta's messages durable must do, with none of Loket's work. Bare Hono (as bare-hono.ts)
 * plus: the signature checked over the raw bytes (HMAC-SHA256, timing-safe), the JSON parsed, one
 * row per message inserted into SQLite (better-sqlite3, WAL, one prepared statement, no ORM), the
 * webhooks of one turn of the event loop committed together and the write-ahead log flushed with
 * fsync off the event loop before the 200. No contacts, conversations, actors or live stream.
 * With FLOOR_ROWS=full it also writes, in the same transaction and with Loket's own schema
 * (tables, indexes, migrations), the rows Loket keeps for a new resident's message: a contact, a
 * conversation, the message, and the inbox row marked done; still no ORM, no actors, no live stream;
 * and, as Loket does (drizzle/SearchIndexer.ts), adds the messages and contacts to the search index in batches
 * every 250 ms (the same statements).
 * PORT, FLOOR_DB (the SQLite file) and FLOOR_APP_SECRET from the env.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { fsync, openSync } from "node:fs"
import { serve } from "@hono/node-server"
import BetterSqlite from "better-sqlite3"
import { drizzle } from "drizzle-orm/better-sqlite3"
import { migrate } from "drizzle-orm/better-sqlite3/migrator"
import { Hono } from "hono"
import * as schema from "../../drizzle/schema.ts"
import { makeSearchIndexStep } from "../../drizzle/search-index-step.ts"
import { migrationsFolder } from "../../drizzle/sqlite.ts"

const secret = process.env.FLOOR_APP_SECRET ?? ""
const path = process.env.FLOOR_DB ?? ""
const db = new BetterSqlite(path)
for (const pragma of ["journal_mode = WAL", "synchronous = NORMAL"]) db.pragma(pragma)
migrate(drizzle({ client: db, schema }), { migrationsFolder })
const full = process.env.FLOOR_ROWS === "full"
const insertInbox = db.prepare("insert into inbox (key, channel, kind, payload, received_at, state) values (?, 'whatsapp', 'message', ?, ?, 'pending') on conflict do nothing")
const insertContact = db.prepare("insert into contacts (id, channel, handle, wa_id, user_id, name, created_at, updated_at) values (?, 'whatsapp', ?, ?, null, ?, ?, ?)")
const insertConversation = db.prepare("insert into conversations (id, channel, channel_account_id, contact_id, status, created_at, last_message_at, window_expires_at) values (?, 'whatsapp', ?, ?, 'open', ?, ?, ?)")
const insertMessage = db.prepare("insert into messages (id, conversation_id, direction, type, dedupe_key, provider_message_id, created_at, status, text, flags) values (?, ?, 'inbound', 'text', ?, ?, ?, 'received', ?, '[]') on conflict do nothing")
const markDone = db.prepare("update inbox set state = 'done', processed_at = ? where seq = ?")
let ids = 0
const id = (prefix: string) => `${prefix}_${Date.now().toString(32)}${(ids++).toString(32).padStart(8, "0")}`

type WaMessage = { id: string; from: string; timestamp: string; text?: { body: string } }
function write(message: WaMessage, account: string, name: string) {
  const now = new Date().toISOString()
  const key = `whatsapp:msg:${message.id}`
  const { lastInsertRowid: seq, changes } = insertInbox.run(key, JSON.stringify(message), now)
  if (!full || changes === 0) return
  const at = new Date(Number(message.timestamp) * 1000).toISOString()
  const contact = id("ctc")
  const conversation = id("cnv")
  insertContact.run(contact, message.from, message.from, name, now, now)
  insertConversation.run(conversation, account, contact, now, at, new Date(Date.parse(at) + 86_400_000).toISOString())
  insertMessage.run(id("msg"), conversation, key, message.id, at, message.text?.body ?? null)
  markDone.run(now, seq)
}
const begin = db.prepare("begin immediate")
const commit = db.prepare("commit")
let wal: number | undefined

/** Webhooks written in this turn, answered once their commit is flushed. */
let waiting: Array<() => void> = []
function flushTurn() {
  commit.run()
  const done = waiting
  waiting = []
  wal ??= openSync(`${path}-wal`, "r")
  fsync(wal, () => done.forEach((resolve) => resolve()))
}

// The search indexes, as drizzle/SearchIndexer.ts keeps them (its very statements): batches of up to 500, at most 4 a tick, every 250 ms.
if (full) {
  const index = makeSearchIndexStep((sql) => db.prepare(sql) as never)
  setInterval(() => {
    for (let i = 0; i < 4 && index.waiting(); i++) {
      const inTurn = waiting.length > 0 // a turn's transaction is open: join it
      if (!inTurn) begin.run()
      const added = index.run(500)
      if (!inTurn) commit.run()
      if (added < 500) break
    }
  }, 250).unref()
}

function store(messages: ReadonlyArray<{ message: WaMessage; account: string; name: string }>): Promise<void> {
  if (waiting.length === 0) {
    begin.run()
    setImmediate(flushTurn)
  }
  for (const { message, account, name } of messages) write(message, account, name)
  return new Promise((resolve) => waiting.push(resolve))
}

const app = new Hono().post("/webhooks/whatsapp", async (c) => {
  const raw = Buffer.from(await c.req.arrayBuffer())
  const given = Buffer.from((c.req.header("x-hub-signature-256") ?? "").replace(/^sha256=/, ""), "hex")
  const expected = createHmac("sha256", secret).update(raw).digest()
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return c.json({ error: "signature" }, 401)
  type Value = { metadata: { phone_number_id: string }; contacts?: Array<{ profile: { name: string } }>; messages?: Array<WaMessage> }
  const body = JSON.parse(raw.toString("utf8")) as { entry: Array<{ changes: Array<{ value: Value }> }> }
  const messages = body.entry.flatMap((e) => e.changes.flatMap(({ value }) =>
    (value.messages ?? []).map((message, i) => ({ message, account: value.metadata.phone_number_id, name: value.contacts?.[i]?.profile.name ?? "" }))))
  await store(messages)
  return c.json({ status: "accepted" })
})

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1" }, (info) => {
  console.log(`durable floor listening on http://127.0.0.1:${info.port}`)
})
process.once("SIGTERM", () => server.close(() => process.exit(0)))
