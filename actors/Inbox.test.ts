import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import { Database, sqliteNodeLayer } from "../drizzle/Database.ts"
import type { InboundEvent } from "../domain/InboundEvent.ts"
import { makeInbox, RETENTION_DAYS } from "./Inbox.ts"

const status = (key: string): InboundEvent => ({
  kind: "status", key, channel: "whatsapp", channelAccountId: "1", resident: { waId: "31600000000", userId: null, name: null },
  providerMessageId: "wamid.1", status: "read", timestamp: new Date().toISOString(), error: null, trackingId: null
})

const withInbox = <A>(f: (inbox: ReturnType<typeof makeInbox>, database: Database["Service"]) => A) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const database = yield* Database
    return f(makeInbox(database), database)
  }).pipe(Effect.provide(sqliteNodeLayer(":memory:", { synchronous: "FULL" })))))

describe("Inbox", () => {
  it("absorbs a key seen before, within one batch and across batches", async () => {
    const fresh = await withInbox((inbox, db) => [
      db.transaction(() => inbox.store([{ channel: "whatsapp", parsed: { events: [status("a"), status("a"), status("b")], rejected: [], ignored: null } }])),
      db.transaction(() => inbox.store([{ channel: "whatsapp", parsed: { events: [status("b"), status("c")], rejected: [], ignored: null } }]))
    ])
    expect(fresh.map((batch) => batch[0]!.map((e) => e.event.key))).toEqual([["a", "b"], ["c"]])
  })

  it("keeps handled keys for the whole redelivery period and forgets them after it", async () => {
    const result = await withInbox((inbox, db) => {
      db.transaction(() => inbox.store([{ channel: "whatsapp", parsed: { events: [status("old")], rejected: [], ignored: null } }]))
      inbox.markDone(1)
      const now = Date.now()
      inbox.prune(now + 7 * 86_400_000) // Meta redelivers for up to 7 days: still known
      const afterSeven = db.transaction(() => inbox.store([{ channel: "whatsapp", parsed: { events: [status("old")], rejected: [], ignored: null } }]))
      inbox.prune(now + (RETENTION_DAYS + 1) * 86_400_000)
      const afterRetention = db.transaction(() => inbox.store([{ channel: "whatsapp", parsed: { events: [status("old")], rejected: [], ignored: null } }]))
      return { afterSeven: afterSeven[0]!.length, afterRetention: afterRetention[0]!.length }
    })
    expect(result).toEqual({ afterSeven: 0, afterRetention: 1 })
  })

  it("replays what was accepted but not handled, in order, and parks what is rejected with its reason", async () => {
    const pending = await withInbox((inbox, db) => {
      db.transaction(() => inbox.store([{
        channel: "whatsapp",
        parsed: { events: [status("x"), status("y"), status("z")], rejected: [{ path: "$.entry[0]", reason: "no id", raw: { a: 1 } }], ignored: null }
      }]))
      inbox.markDone(2)
      const parked = (db.db as any).$client.prepare("select state, last_error from inbox where kind = 'rejected'").all()
      return { keys: inbox.pending().map((e) => e.event.key), parked }
    })
    expect(pending.keys).toEqual(["x", "z"])
    expect(pending.parked).toEqual([{ state: "parked", last_error: "$.entry[0]: no id" }])
  })
})
