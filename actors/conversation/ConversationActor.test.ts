import { describe, expect, it } from "vitest"
import { Cause, Deferred, Effect, Fiber, type Layer } from "effect"
import { parseWebhook } from "../../adapters/whatsapp-cloud/parse.ts"
import * as fixtures from "../../adapters/whatsapp-cloud/fixtures.ts"
import type { InboundMessageEvent } from "../../domain/InboundEvent.ts"
import { CurrentFence, Database, type Fence } from "../../drizzle/Database.ts"
import { postgresLayer } from "../../drizzle/postgres.ts"
import { freshPostgresDatabase } from "../../test/support/services.ts"
import { sqliteNodeLayer } from "../../drizzle/sqlite.ts"
import type { DomainEvent } from "../Events.ts"
import { makeInbox } from "../Inbox.ts"
import { makeTemplateStore } from "../templates/TemplateStore.ts"
import { makeConversationBehavior } from "./ConversationActor.ts"
import { makeConversationStore } from "./ConversationStore.ts"

const event = parseWebhook(fixtures.webhookBody({
  contacts: [fixtures.contact({ waId: "31611112222" })],
  messages: [fixtures.textMessage({ from: "31611112222", body: "Hallo" })]
})).events[0] as InboundMessageEvent

/** One message event through a conversation actor's behaviour, on a real database (in-memory SQLite unless given). */
const apply = (owned: boolean, options: { layer?: Layer.Layer<Database, unknown>; fence?: Fence; newerFence?: Fence } = {}) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const database = yield* Database
    const published: Array<DomainEvent> = []
    const behavior = makeConversationBehavior({
      database, store: makeConversationStore(database), inbox: makeInbox(database), templates: makeTemplateStore(database),
      publish: (events) => Effect.sync(() => void published.push(...events)), audit: () => Effect.void, wakeOutbox: () => {}, templatesChanged: () => {}
    })
    const now = new Date().toISOString()
    yield* database.transaction(database.run((db, t) =>
      db.insert(t.contacts).values({ id: "ct_1", channel: "whatsapp", handle: "31611112222", waId: "31611112222", userId: null, name: null, createdAt: now, updatedAt: now })))
    if (options.newerFence !== undefined) yield* Effect.provideService(database.transaction(Effect.void), CurrentFence, options.newerFence)
    let acknowledged = 0
    const envelope = { seq: 7, event, handled: () => void acknowledged++, owned: () => owned, fence: options.fence }
    const first = { kind: "event" as const, envelope, newContact: true }
    const state = yield* behavior.activate(`whatsapp|${event.channelAccountId}|ct_1`, first)
    const exit = yield* Effect.exit(behavior.receive(state, first, ""))
    // As the actor host does once retries are spent.
    if (exit._tag === "Failure") yield* behavior.onFailure("key", first, exit.cause)
    const rows = yield* database.all((db, t) => db.select().from(t.messages))
    const parked = yield* database.all((db, t) => db.select().from(t.inbox))
    const conversation = exit._tag === "Success" ? exit.value.conversation : null
    return { conversation, rows: rows.length, acknowledged, published: published.length, parked: parked.length }
  }).pipe(Effect.provide(options.layer ?? sqliteNodeLayer(":memory:", { synchronous: "FULL" })))))

describe("conversation actor in cluster mode", () => {
  it("applies an event of a partition it still owns and acknowledges it once committed", async () => {
    const result = await apply(true)
    expect(result).toMatchObject({ rows: 1, acknowledged: 1, published: 2, parked: 0 })
    expect(result.conversation).not.toBeNull()
  })

  it("leaves an event alone once its partition moved elsewhere: no write, no acknowledgement (the next owner gets it again)", async () => {
    expect(await apply(false)).toEqual({ conversation: null, rows: 0, acknowledged: 0, published: 0, parked: 0 })
  })

  it("writes nothing under a lease a newer owner has already fenced off, and neither parks nor acknowledges the event", async () => {
    const fresh = await freshPostgresDatabase()
    try {
      const layer = postgresLayer(fresh.url, { poolSize: 2 })
      expect(await apply(true, { layer, fence: { partition: 3, token: 5 }, newerFence: { partition: 3, token: 8 } }))
        .toEqual({ conversation: null, rows: 0, acknowledged: 0, published: 0, parked: 0 })
    } finally {
      await fresh.drop()
    }
  })
})

describe("conversation actor: holds for a contact merge", () => {
  const behaviorOn = (database: Database["Service"]) => makeConversationBehavior({
    database, store: makeConversationStore(database), inbox: makeInbox(database), templates: makeTemplateStore(database),
    publish: () => Effect.void, audit: () => Effect.void, wakeOutbox: () => {}, templatesChanged: () => {}
  })

  it("waits between two messages until released, then loads the conversation the merge left", async () => {
    const result = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const database = yield* Database
      const behavior = behaviorOn(database)
      const ready = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const hold = { kind: "hold" as const, ready, release }
      const state = yield* behavior.activate("whatsapp|acc|ct_9", hold)
      const fiber = yield* Effect.forkChild(behavior.receive(state, hold, "whatsapp|acc|ct_9"))
      yield* Deferred.await(ready)
      const stillHeld = fiber.pollUnsafe() === undefined
      // The merge writes a conversation for this actor meanwhile.
      const now = new Date().toISOString()
      yield* database.transaction(Effect.gen(function*() {
        yield* database.run((db, t) => db.insert(t.contacts).values({ id: "ct_9", channel: "whatsapp", handle: "316", waId: "316", userId: null, name: null, createdAt: now, updatedAt: now }))
        yield* database.run((db, t) => db.insert(t.conversations).values({ id: "cv_9", channel: "whatsapp", channelAccountId: "acc", contactId: "ct_9", status: "open", createdAt: now, lastMessageAt: now }))
      }))
      yield* Deferred.succeed(release, undefined)
      const after = yield* Fiber.join(fiber)
      return { stillHeld, before: state.conversation, after: after.conversation?.id }
    }).pipe(Effect.provide(sqliteNodeLayer(":memory:", { synchronous: "FULL" })))))
    expect(result).toEqual({ stillHeld: true, before: null, after: "cv_9" })
  })

  it("never keeps a merge waiting when it could not be activated", async () => {
    const done = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const behavior = behaviorOn(yield* Database)
      const ready = yield* Deferred.make<void>()
      yield* behavior.onFailure("k", { kind: "hold", ready, release: yield* Deferred.make<void>() }, Cause.die(new Error("could not be activated")))
      return yield* Deferred.isDone(ready)
    }).pipe(Effect.provide(sqliteNodeLayer(":memory:", { synchronous: "FULL" })))))
    expect(done).toBe(true)
  })
})
