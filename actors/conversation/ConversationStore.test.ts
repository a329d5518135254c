/** Removing a conversation (retention) takes its timers with it: SQLite enforces the foreign key. */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { Database } from "../../drizzle/Database.ts"
import { sqliteNodeLayer } from "../../drizzle/sqlite.ts"
import { makeConversationStore } from "./ConversationStore.ts"

describe("ConversationStore.deleteConversation", () => {
  it("removes a conversation that has a pending follow-up timer", async () => {
    const left = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const database = yield* Database
      const store = makeConversationStore(database)
      const at = "2026-12-04T19:00:00.000Z"
      yield* database.transaction(Effect.gen(function*() {
        yield* database.run((db, t) => db.insert(t.contacts).values({ id: "ct_1", channel: "whatsapp", handle: "31600000001", waId: "31600000001", userId: null, name: null, createdAt: at, updatedAt: at }))
        yield* store.insertConversation({
          id: "conv_1", channel: "whatsapp", channelAccountId: "1", contactId: "ct_1", status: "open", team: null, assignee: null,
          createdAt: at, lastMessageAt: at, windowExpiresAt: null, lastOutboundAt: null, windowWarnedFor: null,
          unreadCount: 0, personalDataWarnedAt: null, waitingSince: at, autoRepliedFor: null
        })
        yield* store.armTimer("conv_1", "follow-up", "2026-12-07T07:30:00.000Z", at)
      }))
      yield* database.transaction(store.deleteConversation("conv_1"))
      return {
        conversations: (yield* database.all((db, t) => db.select().from(t.conversations))).length,
        timers: (yield* database.all((db, t) => db.select().from(t.timers))).length
      }
    }).pipe(Effect.provide(sqliteNodeLayer(":memory:", { synchronous: "NORMAL" })))))
    expect(left).toEqual({ conversations: 0, timers: 0 })
  })
})
