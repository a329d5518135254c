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
 * With FLOOR_WRITER=worker the writer (./durable-floor-store.ts) runs in a worker thread of its own
 * (./durable-floor-writer.ts) and the HTTP thread keeps the signature and the JSON: what moving Loket's
 * SQLite writer off the HTTP thread could gain at best, on this machine. FLOOR_EXTRA_US=<µs> spends that
 * much CPU per message in the writer, wherever it runs: a model of Loket's own work beside the rows, so
 * that the two placements compare at Loket's cost per message.
 * PORT, FLOOR_DB (the SQLite file) and FLOOR_APP_SECRET from the env.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { Worker } from "node:worker_threads"
import { serve } from "@hono/node-server"
import { Hono } from "hono"
import { type Incoming, makeFloorStore, type WaMessage } from "./durable-floor-store.ts"

const secret = process.env.FLOOR_APP_SECRET ?? ""
const path = process.env.FLOOR_DB ?? ""
const full = process.env.FLOOR_ROWS === "full"
const extraUs = Number(process.env.FLOOR_EXTRA_US ?? 0)

/** The writer in this thread, or in a worker thread (answers by id). */
async function openWriter(): Promise<(messages: ReadonlyArray<Incoming>) => Promise<void>> {
  if (process.env.FLOOR_WRITER !== "worker") return makeFloorStore(path, full, extraUs).store
  // A worker thread does not inherit tsx's loader on Node 20: its entry registers it, then loads the writer.
  const entry = `import { tsImport } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))}; await tsImport(${JSON.stringify(new URL("./durable-floor-writer.ts", import.meta.url).href)}, ${JSON.stringify(import.meta.url)})`
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(entry)}`), { workerData: { path, full, extraUs } })
  const pending = new Map<number, () => void>()
  let next = 0
  await new Promise<void>((resolve, reject) => {
    worker.once("error", reject)
    worker.once("message", () => resolve())
  })
  worker.on("message", (id: number) => {
    pending.get(id)?.()
    pending.delete(id)
  })
  return (messages) => new Promise<void>((resolve) => {
    const id = next++
    pending.set(id, resolve)
    worker.postMessage({ id, messages })
  })
}
const store = await openWriter()

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
