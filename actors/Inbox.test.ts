import { describe, expect, it } from "vitest"
import { eq } from "drizzle-orm"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { Database } from "../drizzle/Database.ts"
import { sqliteNodeLayer } from "../drizzle/sqlite.ts"
import type { InboundEvent } from "../domain/InboundEvent.ts"
import { makeInbox, RETENTION_DAYS } from "./Inbox.ts"

const status = (key: string): InboundEvent => ({
  kind: "status", key, channel: "whatsapp", channelAccountId: "1", resident: { waId: "31600000000", userId: null, name: null },
  providerMessageId: "wamid.1", status: "read", timestamp: new Date().toISOString(), error: null, trackingId: null
})

const withInbox = <A, E>(f: (inbox: ReturnType<typeof makeInbox>, database: Database["Service"]) => Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const database = yield* Database
    return yield* f(makeInbox(database), database)
  }).pipe(Effect.provide(sqliteNodeLayer(":memory:", { synchronous: "FULL" })))))

const batch = (...keys: Array<string>) => [{ channel: "whatsapp" as const, parsed: { events: keys.map(status), rejected: [], ignored: null } }]

describe("Inbox", () => {
  it("absorbs a key seen before, within one batch and across batches", async () => {
    const fresh = await withInbox((inbox, db) => Effect.all([
      db.transaction(inbox.store(batch("a", "a", "b"))),
      db.transaction(inbox.store(batch("b", "c")))
    ]))
    expect(fresh.map((batch) => batch[0]!.map((e) => e.event.key))).toEqual([["a", "b"], ["c"]])
  })

  it("keeps handled keys for the whole redelivery period and forgets them after it", async () => {
    const result = await withInbox((inbox, db) => Effect.gen(function*() {
      yield* db.transaction(inbox.store(batch("old")))
      yield* db.transaction(inbox.markDone(1))
      yield* TestClock.adjust("7 days")
      yield* inbox.prune // Meta redelivers for up to 7 days: still known
      const afterSeven = yield* db.transaction(inbox.store(batch("old")))
      yield* TestClock.adjust(`${RETENTION_DAYS - 7 + 1} days`)
      yield* inbox.prune
      const afterRetention = yield* db.transaction(inbox.store(batch("old")))
      return { afterSeven: afterSeven[0]!.length, afterRetention: afterRetention[0]!.length }
    }).pipe(Effect.provide(TestClock.layer())))
    expect(result).toEqual({ afterSeven: 0, afterRetention: 1 })
  })

  it("replays what was accepted but not handled, in order, and parks what is rejected with its reason", async () => {
    const pending = await withInbox((inbox, db) => Effect.gen(function*() {
      yield* db.transaction(inbox.store([{
        channel: "whatsapp",
        parsed: { events: [status("x"), status("y"), status("z")], rejected: [{ path: "$.entry[0]", reason: "no id", raw: { a: 1 } }], ignored: null }
      }]))
      yield* db.transaction(inbox.markDone(2))
      const parked = yield* db.all((d, t) => d.select({ state: t.inbox.state, lastError: t.inbox.lastError }).from(t.inbox).where(eq(t.inbox.kind, "rejected")))
      return { keys: (yield* inbox.pending()).map((e) => e.event.key), parked }
    }))
    expect(pending.keys).toEqual(["x", "z"])
    expect(pending.parked).toEqual([{ state: "parked", lastError: "$.entry[0]: no id" }])
  })
})
