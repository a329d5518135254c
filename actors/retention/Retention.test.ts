import { describe, expect, it } from "vitest"
import { count, eq } from "drizzle-orm"
import { Context, Effect, Layer, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { Database, type DatabaseShape } from "../../drizzle/Database.ts"
import { postgresLayer } from "../../drizzle/postgres.ts"
import { sqliteNodeLayer } from "../../drizzle/sqlite.ts"
import { freshPostgresDatabase } from "../../test/support/services.ts"
import { Conversations } from "../Conversations.ts"
import type { ConversationMessage } from "../conversation/protocol.ts"
import { makeConversationBehavior } from "../conversation/ConversationActor.ts"
import { makeConversationStore } from "../conversation/ConversationStore.ts"
import { makeInbox } from "../Inbox.ts"
import { Leadership } from "../Leadership.ts"
import { makeTemplateStore } from "../templates/TemplateStore.ts"
import { DAY_MS, RETENTION } from "./periods.ts"
import { pruneMessages, pruneOrphanStatuses } from "./prune.ts"
import { Retention, runRetention } from "./Retention.ts"
import { defaultResidentSafety } from "../safety/ResidentSafety.ts"

const START = Date.parse("2026-12-01T00:00:00.000Z")
const iso = (ms: number) => new Date(ms).toISOString()
const daysAgo = (days: number, now = START) => iso(now - days * DAY_MS)

const withDb = <A, E>(f: (database: DatabaseShape) => Effect.Effect<A, E, Scope.Scope>, layer: Layer.Layer<Database, unknown> = sqliteNodeLayer(":memory:", { synchronous: "FULL" })) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    return yield* f(yield* Database)
  }).pipe(Effect.provide(layer))))

/** A contact with one conversation; `messages` created at the given ISO times. */
const seed = (database: DatabaseShape, id: string, messages: ReadonlyArray<string>, state: { outbox?: "pending" | "sent" | "failed" } = {}) =>
  database.transaction(Effect.gen(function*() {
    const at = messages.at(-1) ?? daysAgo(400)
    yield* database.run((db, t) => db.insert(t.contacts).values({ id: `ct_${id}`, channel: "whatsapp", handle: `316${id}`, waId: `316${id}`, userId: null, name: null, createdAt: at, updatedAt: at }))
    yield* database.run((db, t) => db.insert(t.conversations).values({
      id: `cv_${id}`, channel: "whatsapp", channelAccountId: "acc", contactId: `ct_${id}`, status: "open", team: null, assignee: null,
      createdAt: messages[0] ?? at, lastMessageAt: at, windowExpiresAt: null, lastOutboundAt: null, windowWarnedFor: null
    }))
    let n = 0
    for (const createdAt of messages) {
      const messageId = `m_${id}_${n++}`
      yield* database.run((db, t) => db.insert(t.messages).values({ id: messageId, conversationId: `cv_${id}`, direction: "outbound", type: "text", createdAt, status: "sent", text: "x", content: { media: { id: `media_${messageId}` } } }))
      if (state.outbox !== undefined) {
        yield* database.run((db, t) => db.insert(t.outbox).values({
          messageId, conversationId: `cv_${id}`, channel: "whatsapp", channelAccountId: "acc", contactId: `ct_${id}`, request: {},
          state: state.outbox!, notBefore: createdAt, createdAt, sentAt: state.outbox === "sent" ? createdAt : null
        }))
      }
    }
  })).pipe(Effect.andThen(database.committed()))

const rows = (database: DatabaseShape) =>
  Effect.gen(function*() {
    const n = (q: Effect.Effect<Array<{ n: number }>, unknown>) => Effect.map(q, (r) => Number(r[0]!.n))
    return {
      orphans: yield* n(database.all((db, t) => db.select({ n: count() }).from(t.orphanStatuses))),
      outbox: yield* n(database.all((db, t) => db.select({ n: count() }).from(t.outbox))),
      parked: yield* n(database.all((db, t) => db.select({ n: count() }).from(t.inbox).where(eq(t.inbox.state, "parked")))),
      messages: yield* n(database.all((db, t) => db.select({ n: count() }).from(t.messages))),
      conversations: yield* n(database.all((db, t) => db.select({ n: count() }).from(t.conversations)))
    }
  })

const orphan = (database: DatabaseShape, key: string, at: string) =>
  database.transaction(database.run((db, t) => db.insert(t.orphanStatuses).values({ key, providerMessageId: key, status: "read", timestamp: at, error: null })))
const parked = (database: DatabaseShape, key: string, at: string) =>
  database.transaction(database.run((db, t) => db.insert(t.inbox).values({ key, channel: "whatsapp", kind: "message", payload: {}, receivedAt: at, state: "parked", lastError: "x" })))

describe("retention", () => {
  const bookkeeping = (layer?: Layer.Layer<Database, unknown>) => withDb((database) => Effect.gen(function*() {
      yield* orphan(database, "fresh", daysAgo(RETENTION.orphanStatusesDays - 1))
      yield* orphan(database, "old", daysAgo(RETENTION.orphanStatusesDays + 1))
      yield* seed(database, "sent-old", [daysAgo(RETENTION.settledOutboxDays + 1)], { outbox: "sent" })
      yield* seed(database, "failed-old", [daysAgo(RETENTION.settledOutboxDays + 1)], { outbox: "failed" })
      yield* seed(database, "sent-fresh", [daysAgo(RETENTION.settledOutboxDays - 1)], { outbox: "sent" })
      yield* seed(database, "pending-old", [daysAgo(RETENTION.settledOutboxDays + 5)], { outbox: "pending" })
      yield* parked(database, "p-old", daysAgo(RETENTION.parkedDays + 1))
      yield* parked(database, "p-fresh", daysAgo(RETENTION.parkedDays - 1))
      yield* TestClock.setTime(START)
      const report = yield* runRetention(database, () => Effect.void)
      return { report, left: yield* rows(database) }
    }).pipe(Effect.provide(TestClock.layer())), layer)

  it("keeps orphan statuses 8 days, settled outbox rows 30, parked events 90, and never an outbox row still to send", async () => {
    const result = await bookkeeping()
    expect(result.report).toMatchObject({ orphanStatuses: 1, settledOutbox: 2, parked: 1, messages: 0 })
    // Messages are kept by default: only the bookkeeping went.
    expect(result.left).toEqual({ orphans: 1, outbox: 2, parked: 1, messages: 4, conversations: 4 })
  })

  it("prunes the same on PostgreSQL", async () => {
    const fresh = await freshPostgresDatabase()
    try {
      const result = await bookkeeping(postgresLayer(fresh.url, { poolSize: 2 }))
      expect(result.report).toMatchObject({ orphanStatuses: 1, settledOutbox: 2, parked: 1, messages: 0 })
      expect(result.left).toEqual({ orphans: 1, outbox: 2, parked: 1, messages: 4, conversations: 4 })
      const messages = await withDb((database) => Effect.gen(function*() {
        yield* seed(database, "pg", [daysAgo(400), daysAgo(2)])
        return yield* pruneMessages(database, daysAgo(365), 1)
      }), postgresLayer(fresh.url, { poolSize: 2 }))
      expect(messages.deleted).toBe(1)
    } finally {
      await fresh.drop()
    }
  })

  it("runs on the schedule as the Clock moves, on the leader only", async () => {
    const run = (leading: boolean) => withDb((database) => Effect.gen(function*() {
      yield* TestClock.setTime(START)
      yield* orphan(database, "a", iso(START - (RETENTION.orphanStatusesDays - 1) * DAY_MS))
      const leadership = Layer.succeed(Leadership, Leadership.of({
        whileLeading: (_name, work) => (leading ? Effect.asVoid(Effect.forkScoped(work)) : Effect.void)
      }))
      const conversations = Layer.succeed(Conversations, Conversations.of({
        route: () => Effect.void, address: () => Effect.die("unused"), routeAddressed: () => Effect.die("unused"), send: () => Effect.die("unused"), work: () => Effect.die("unused"), tell: () => Effect.void, active: () => 0, forget: () => {}
      }))
      yield* Layer.build(Retention.layer().pipe(Layer.provide(Layer.mergeAll(leadership, conversations, Layer.succeed(Database, database)))))
      const seen: Array<number> = []
      seen.push((yield* rows(database)).orphans) // ran at start: the status is 7 days old, kept
      yield* TestClock.adjust("1 day")
      seen.push((yield* rows(database)).orphans) // 8 days old: kept
      yield* TestClock.adjust("1 day")
      // 9 days old: an hourly run takes it (the leader's); let the job's fiber finish its run.
      yield* (leading ? until(Effect.map(rows(database), (r) => r.orphans === 0)) : Effect.forEach(Array.from({ length: 100 }), () => Effect.yieldNow, { discard: true }))
      seen.push((yield* rows(database)).orphans)
      return seen
    }).pipe(Effect.provide(TestClock.layer())))
    expect(await run(true)).toEqual([1, 1, 0])
    expect(await run(false)).toEqual([1, 1, 1])
  })

  it("prunes messages older than the days it is given, in bounded batches, and the conversations they leave empty through their actors", async () => {
    const result = await withDb((database) => Effect.gen(function*() {
      yield* seed(database, "old", [daysAgo(400), daysAgo(399), daysAgo(398)], { outbox: "sent" })
      yield* seed(database, "mixed", [daysAgo(400), daysAgo(2)])
      const told: Array<{ key: string; message: ConversationMessage }> = []
      yield* TestClock.setTime(START)
      const report = yield* runRetention(database, (key, message) => Effect.sync(() => void told.push({ key, message })), () => Effect.succeed(365))
      const left = yield* rows(database)
      // Batches of two: still every old message goes.
      yield* seed(database, "more", [daysAgo(500), daysAgo(499), daysAgo(498), daysAgo(497), daysAgo(496)])
      const batched = yield* pruneMessages(database, daysAgo(365), 2)
      // The emptied conversation's actor removes it (it is the single writer of that row).
      const behavior = makeConversationBehavior({
        database, store: makeConversationStore(database), inbox: makeInbox(database), templates: makeTemplateStore(database),
        publish: () => Effect.void, wakeOutbox: () => {}, templatesChanged: () => {},
        safety: Effect.succeed(defaultResidentSafety), audit: () => Effect.void
      })
      const prune = told[0]!
      const state = yield* behavior.activate(prune.key, prune.message)
      const after = yield* behavior.receive(state, prune.message, prune.key)
      return { report, told: told.map((t) => t.key), left, batched: { deleted: batched.deleted, emptied: batched.emptied.length, media: batched.media.length }, after: after.conversation, final: yield* rows(database) }
    }).pipe(Effect.provide(TestClock.layer())))
    expect(result.report).toMatchObject({ messages: 4, emptiedConversations: 1 })
    expect(result.told).toEqual(["whatsapp|acc|ct_old"])
    expect(result.left).toMatchObject({ messages: 1, outbox: 0, conversations: 2 })
    expect(result.batched).toEqual({ deleted: 5, emptied: 1, media: 5 })
    expect(result.after).toBeNull()
    expect(result.final).toMatchObject({ messages: 1, conversations: 2 }) // "old" gone, "mixed" and "more" stay ("more" awaits its actor)
  })

  it("an actor keeps a conversation that got a message after the job looked", async () => {
    const kept = await withDb((database) => Effect.gen(function*() {
      yield* seed(database, "busy", [daysAgo(1)])
      const behavior = makeConversationBehavior({
        database, store: makeConversationStore(database), inbox: makeInbox(database), templates: makeTemplateStore(database),
        publish: () => Effect.void, wakeOutbox: () => {}, templatesChanged: () => {},
        safety: Effect.succeed(defaultResidentSafety), audit: () => Effect.void
      })
      const message: ConversationMessage = { kind: "prune-if-empty", before: daysAgo(30) }
      yield* database.transaction(database.run((db, t) => db.delete(t.messages)))
      const state = yield* behavior.activate("whatsapp|acc|ct_busy", message)
      return (yield* behavior.receive(state, message, "whatsapp|acc|ct_busy")).conversation?.id
    }))
    expect(kept).toBe("cv_busy")
  })

  it("deletes orphan statuses in batches of the size it is given", async () => {
    const n = await withDb((database) => Effect.gen(function*() {
      for (let i = 0; i < 7; i++) yield* orphan(database, `o${i}`, daysAgo(20))
      return yield* pruneOrphanStatuses(database, daysAgo(8), 3)
    }))
    expect(n).toBe(7)
  })
})

/** Lets the job's fiber run until `done` holds (at most 10,000 turns: no sleeping, no wall-clock wait). */
const until = <E>(done: Effect.Effect<boolean, E>) =>
  Effect.gen(function*() {
    for (let turn = 0; turn < 10_000; turn++) {
      if (yield* done) return
      yield* Effect.yieldNow
    }
    return yield* Effect.die(new Error("condition not reached"))
  })

describe("retention: the messages setting", () => {
  it("asks the function it is given at every run, and that function may use a service", async () => {
    class Days extends Context.Service<Days, { readonly value: () => number | null }>()("test/Days") {}
    let asked = 0
    const left = await withDb((database) => Effect.gen(function*() {
      yield* TestClock.setTime(START)
      yield* seed(database, "s", [daysAgo(40), daysAgo(10)])
      const conversations = Layer.succeed(Conversations, Conversations.of({
        route: () => Effect.void, address: () => Effect.die("unused"), routeAddressed: () => Effect.die("unused"), send: () => Effect.die("unused"), work: () => Effect.die("unused"), tell: () => Effect.void, active: () => 0, forget: () => {}
      }))
      let current: number | null = null
      const days = Layer.succeed(Days, Days.of({ value: () => current }))
      const layer = Retention.layer(() => Effect.map(Effect.service(Days), (d) => (asked++, d.value())))
      yield* Layer.build(layer.pipe(Layer.provide(Layer.mergeAll(Leadership.always, conversations, days, Layer.succeed(Database, database)))))
      yield* until(Effect.sync(() => asked >= 1))
      const counts: Array<number> = [(yield* rows(database)).messages] // null: kept
      current = 30
      yield* TestClock.adjust("1 hour")
      yield* until(Effect.map(rows(database), (r) => r.messages < 2))
      counts.push((yield* rows(database)).messages) // 30 days: the 40-day-old one went
      return counts
    }).pipe(Effect.provide(TestClock.layer())))
    expect(left).toEqual([2, 1])
    expect(asked).toBeGreaterThanOrEqual(2)
  })
})
