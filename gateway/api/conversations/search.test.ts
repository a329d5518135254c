import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Clock, Context, Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { Database, type DatabaseShape } from "../../../drizzle/Database.ts"
import { sqliteNodeLayer } from "../../../drizzle/sqlite.ts"
import { makeConversationQueries } from "./queries.ts"
import { messageMark } from "../../../test/support/search-index.ts"

const at = "2026-12-02T09:00:00.000Z"

const write = (database: DatabaseShape, conversation: string, text: string, name: string | null = null) =>
  database.transaction(Effect.gen(function*() {
    yield* database.run((db, t) => db.insert(t.contacts).values({ id: `ct_${conversation}`, channel: "whatsapp", handle: conversation, waId: conversation, userId: null, name, createdAt: at, updatedAt: at }))
    yield* database.run((db, t) => db.insert(t.conversations).values({ id: conversation, channel: "whatsapp", channelAccountId: "acc", contactId: `ct_${conversation}`, status: "open", createdAt: at, lastMessageAt: at }))
    yield* database.run((db, t) => db.insert(t.messages).values({ id: `${conversation}_m`, conversationId: conversation, direction: "inbound", type: "text", dedupeKey: null, providerMessageId: null, createdAt: at, status: "received", text }))
  })).pipe(Effect.andThen(() => database.committed()))

describe("the list's text search while the index catches up (drizzle/SearchIndexer.ts)", () => {
  it("finds a message and a contact from the moment they are committed, before and after they are in the index, once", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "loket-search-list-")), "loket.db")
    const found = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const database = Context.get(yield* Layer.build(sqliteNodeLayer(`file:${path}`, { synchronous: "NORMAL" })), Database)
      const clock = yield* Clock.Clock
      const queries = makeConversationQueries(database, async () => clock.currentTimeMillisUnsafe())
      yield* Effect.yieldNow // the indexer's first run, at start: nothing to add yet
      const search = (q: string) => Effect.promise(() => queries.list({ status: "all", q, visibility: { all: true }, limit: 50 }))
        .pipe(Effect.map((page) => page.items.map((c) => c.id)))
      yield* write(database, "cv_afval", "Mijn container is niet geleegd")
      yield* write(database, "cv_pas", "Ik wil een nieuw paspoort", "Henk Jansen")
      // The Clock has not moved: the indexer has not run, the messages are only after its mark.
      const before = yield* search("geleegd")
      const contactBefore = yield* search("jansen")
      const notYet = messageMark(path)
      yield* TestClock.adjust("250 millis")
      yield* Effect.yieldNow
      yield* database.committed()
      const indexed = messageMark(path)
      const after = yield* search("GELEEGD")
      const none = yield* search("rijbewijs")
      const contactAfter = yield* search("JANSEN")
      return { before, after, none, notYet, indexed, contactBefore, contactAfter }
    })).pipe(Effect.provide(TestClock.layer())))
    expect(found.before).toEqual(["cv_afval"])
    expect(found.after).toEqual(["cv_afval"])
    expect(found.none).toEqual([])
    expect([found.contactBefore, found.contactAfter]).toEqual([["cv_pas"], ["cv_pas"]])
    expect([found.notYet, found.indexed]).toEqual([0, 2])
  })
})
