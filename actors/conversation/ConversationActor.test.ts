import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import { parseWebhook } from "../../adapters/whatsapp-cloud/parse.ts"
import * as fixtures from "../../adapters/whatsapp-cloud/fixtures.ts"
import type { InboundMessageEvent } from "../../domain/InboundEvent.ts"
import { Database } from "../../drizzle/Database.ts"
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

/** One message event through a conversation actor's behaviour, on a real (in-memory) SQLite database. */
const apply = (owned: boolean) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const database = yield* Database
    const published: Array<DomainEvent> = []
    const behavior = makeConversationBehavior({
      database, store: makeConversationStore(database), inbox: makeInbox(database), templates: makeTemplateStore(database),
      publish: (events) => Effect.sync(() => void published.push(...events)), wakeOutbox: () => {}, templatesChanged: () => {}
    })
    const now = new Date().toISOString()
    yield* database.transaction(database.run((db, t) =>
      db.insert(t.contacts).values({ id: "ct_1", channel: "whatsapp", handle: "31611112222", waId: "31611112222", userId: null, name: null, createdAt: now, updatedAt: now })))
    let acknowledged = 0
    const envelope = { seq: 7, event, handled: () => void acknowledged++, owned: () => owned }
    const first = { kind: "event" as const, envelope, newContact: true }
    const state = yield* behavior.activate(`whatsapp|${event.channelAccountId}|ct_1`, first)
    const next = yield* behavior.receive(state, first, "")
    const rows = yield* database.all((db, t) => db.select().from(t.messages))
    return { conversation: next.conversation, rows: rows.length, acknowledged, published: published.length }
  }).pipe(Effect.provide(sqliteNodeLayer(":memory:", { synchronous: "FULL" })))))

describe("conversation actor in cluster mode", () => {
  it("applies an event of a partition it still owns and acknowledges it once committed", async () => {
    const result = await apply(true)
    expect(result).toMatchObject({ rows: 1, acknowledged: 1, published: 2 })
    expect(result.conversation).not.toBeNull()
  })

  it("leaves an event alone once its partition moved elsewhere: no write, no acknowledgement (the next owner gets it again)", async () => {
    expect(await apply(false)).toEqual({ conversation: null, rows: 0, acknowledged: 0, published: 0 })
  })
})
