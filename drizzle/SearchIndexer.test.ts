import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import BetterSqlite from "better-sqlite3"
import { drizzle } from "drizzle-orm/better-sqlite3"
import { migrate } from "drizzle-orm/better-sqlite3/migrator"
import { eq } from "drizzle-orm"
import { Context, Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { Database, type DatabaseShape } from "./Database.ts"
import * as schema from "./schema.ts"
import { migrationsFolder, sqliteNodeLayer } from "./sqlite.ts"
import { STEP, STEPS_PER_TICK } from "./SearchIndexer.ts"
import { contactsIndexed, integrityCheck, messageMark, messagesIndexed, migrationsWithout, pendingContacts } from "../test/support/search-index.ts"

const at = "2026-12-02T09:00:00.000Z"
const fresh = () => join(mkdtempSync(join(tmpdir(), "loket-search-")), "loket.db")

/** A conversation and `count` messages in it, written as Loket writes them (one transaction). */
const writeMessages = (database: DatabaseShape, conversation: string, texts: ReadonlyArray<string>) =>
  database.transaction(Effect.gen(function*() {
    const existing = yield* database.one((db, t) => db.select().from(t.conversations).where(eq(t.conversations.id, conversation)))
    if (existing === undefined) {
      yield* database.run((db, t) => db.insert(t.contacts).values({ id: `ct_${conversation}`, channel: "whatsapp", handle: conversation, waId: conversation, userId: null, name: null, createdAt: at, updatedAt: at }))
      yield* database.run((db, t) => db.insert(t.conversations).values({ id: conversation, channel: "whatsapp", channelAccountId: "acc", contactId: `ct_${conversation}`, status: "open", createdAt: at, lastMessageAt: at }))
    }
    yield* Effect.forEach(texts, (text, i) => database.run((db, t) => db.insert(t.messages).values({
      id: `${conversation}_m${i}_${Math.random().toString(36).slice(2)}`, conversationId: conversation, direction: "inbound", type: "text",
      dedupeKey: null, providerMessageId: null, createdAt: at, status: "received", text
    })), { discard: true })
  })).pipe(Effect.andThen(() => database.committed()))

const withDatabase = <A>(path: string, f: (database: DatabaseShape, tick: Effect.Effect<void>) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const database = Context.get(yield* Layer.build(sqliteNodeLayer(`file:${path}`, { synchronous: "NORMAL" })), Database)
    yield* Effect.yieldNow // the indexer's first run, at start: nothing to add yet
    // One tick of the indexer's schedule (SEARCH_INDEX_EVERY), then what it wrote committed.
    const tick = Effect.yieldNow.pipe(Effect.andThen(TestClock.adjust("250 millis")), Effect.andThen(Effect.yieldNow), Effect.andThen(() => database.committed()))
    return yield* f(database, Effect.orDie(tick))
  })).pipe(Effect.provide(TestClock.layer())) as Effect.Effect<A>)

describe("the search index follows the messages in batches (SearchIndexer)", () => {
  it("adds messages at the Clock's tick, not in the webhook's transaction, and moves its mark with them", async () => {
    const path = fresh()
    await withDatabase(path, (database, tick) => Effect.gen(function*() {
      yield* writeMessages(database, "cv_1", ["Mijn container is niet geleegd", "Wanneer komt de grofvuilwagen?"])
      expect(messagesIndexed(path, "geleegd")).toBe(0)
      expect(messageMark(path)).toBe(0)
      yield* tick
      expect(messagesIndexed(path, "geleegd")).toBe(1)
      expect(messagesIndexed(path, "grofvuil")).toBe(1)
      expect(messageMark(path)).toBe(2)
      expect(integrityCheck(path, "message_search")).toBe("ok")
    }))
  })

  it("catches up after a burst a bounded step at a time, so no tick holds the event loop long", async () => {
    const path = fresh()
    const burst = STEP * STEPS_PER_TICK + 300
    await withDatabase(path, (database, tick) => Effect.gen(function*() {
      yield* writeMessages(database, "cv_1", Array.from({ length: burst }, (_, i) => `bericht ${i} over parkeren`))
      yield* tick
      // A tick adds at most STEPS_PER_TICK steps (yielding between them); the rest waits for the next.
      const first = messageMark(path)
      expect(first).toBeGreaterThanOrEqual(STEP)
      expect(first).toBeLessThanOrEqual(STEP * STEPS_PER_TICK)
      let ticks = 1
      while (messageMark(path) < burst && ticks < 10) {
        yield* tick
        ticks++
      }
      expect(ticks).toBeGreaterThanOrEqual(2)
      expect(messageMark(path)).toBe(burst)
      expect(messagesIndexed(path, "parkeren")).toBe(burst)
      expect(integrityCheck(path, "message_search")).toBe("ok")
    }))
  })

  it("keeps the index right when messages change or go, whether or not they were in it yet", async () => {
    const path = fresh()
    await withDatabase(path, (database, tick) => Effect.gen(function*() {
      yield* writeMessages(database, "cv_1", ["eerste bericht over afval", "tweede bericht over afval"])
      yield* tick
      yield* writeMessages(database, "cv_2", ["derde bericht over afval", "vierde bericht over afval"])
      // An indexed message and one not yet indexed change their text; one of each is removed (retention).
      const rows = yield* database.all((db, t) => db.select({ seq: t.messages.seq, text: t.messages.text }).from(t.messages).orderBy(t.messages.seq))
      yield* database.transaction(Effect.gen(function*() {
        yield* database.run((db, t) => db.update(t.messages).set({ text: "eerste bericht over paspoort" }).where(eq(t.messages.seq, rows[0]!.seq)))
        yield* database.run((db, t) => db.update(t.messages).set({ text: "derde bericht over paspoort" }).where(eq(t.messages.seq, rows[2]!.seq)))
        yield* database.run((db, t) => db.delete(t.messages).where(eq(t.messages.seq, rows[1]!.seq)))
        yield* database.run((db, t) => db.delete(t.messages).where(eq(t.messages.seq, rows[3]!.seq)))
      })).pipe(Effect.andThen(() => database.committed()))
      yield* tick
      expect(integrityCheck(path, "message_search")).toBe("ok")
      expect(messagesIndexed(path, "paspoort")).toBe(2)
      expect(messagesIndexed(path, "afval")).toBe(0)
    }))
  })
})

describe("contacts reach the search index in batches too (0014_contact_search_behind)", () => {
  const contact = (database: DatabaseShape, id: string, name: string, handle: string) =>
    database.transaction(database.run((db, t) => db.insert(t.contacts).values({ id, channel: "whatsapp", handle, waId: handle, userId: null, name, createdAt: at, updatedAt: at })))
      .pipe(Effect.andThen(() => database.committed()))

  it("a new contact waits in the pending list, is added at the tick, and the index stays right when contacts change or go either way", async () => {
    const path = fresh()
    await withDatabase(path, (database, tick) => Effect.gen(function*() {
      yield* contact(database, "ct_a", "Fatima Bakker", "31611111111")
      yield* contact(database, "ct_b", "Henk Jansen", "31622222222")
      expect([contactsIndexed(path, "Bakker"), pendingContacts(path)]).toEqual([0, 2])
      yield* tick
      expect([contactsIndexed(path, "Bakker"), contactsIndexed(path, "Jansen"), pendingContacts(path)]).toEqual([1, 1, 0])
      expect(integrityCheck(path, "contact_search")).toBe("ok")
      // Two more, still pending; then one indexed and one pending contact change their name, one of each goes.
      yield* contact(database, "ct_c", "Ans de Wit", "31633333333")
      yield* contact(database, "ct_d", "Piet Smit", "31644444444")
      yield* database.transaction(Effect.gen(function*() {
        yield* database.run((db, t) => db.update(t.contacts).set({ name: "Fatima de Boer" }).where(eq(t.contacts.id, "ct_a")))
        yield* database.run((db, t) => db.update(t.contacts).set({ name: "Ans de Boer" }).where(eq(t.contacts.id, "ct_c")))
        yield* database.run((db, t) => db.delete(t.contacts).where(eq(t.contacts.id, "ct_b")))
        yield* database.run((db, t) => db.delete(t.contacts).where(eq(t.contacts.id, "ct_d")))
      })).pipe(Effect.andThen(() => database.committed()))
      expect(pendingContacts(path)).toBe(1)
      yield* tick
      expect(pendingContacts(path)).toBe(0)
      expect(integrityCheck(path, "contact_search")).toBe("ok")
      expect([contactsIndexed(path, "de Boer"), contactsIndexed(path, "Bakker"), contactsIndexed(path, "Jansen"), contactsIndexed(path, "Smit")]).toEqual([2, 0, 0, 0])
    }))
  })
})

describe("the migrations to the batched index (0013_search_behind, 0014_contact_search_behind)", () => {
  it("counts every message already written as indexed, so none is added twice or lost", () => {
    const dir = mkdtempSync(join(tmpdir(), "loket-search-migration-"))
    // The migrations as they stood before 0013.
    const before = migrationsWithout(join(dir, "migrations"))
    const client = new BetterSqlite(join(dir, "loket.db"))
    const db = drizzle({ client, schema })
    migrate(db, { migrationsFolder: before })
    client.exec(`insert into contacts (id, channel, handle, wa_id, name, created_at, updated_at) values ('ct_1', 'whatsapp', 'h', 'w', 'Sanne Visser', '${at}', '${at}')`)
    client.exec(`insert into conversations (id, channel, channel_account_id, contact_id, status, created_at, last_message_at) values ('cv_1', 'whatsapp', 'acc', 'ct_1', 'open', '${at}', '${at}')`)
    for (const [i, text] of ["oude vraag over subsidie", "nog een oude vraag"].entries()) {
      client.exec(`insert into messages (id, conversation_id, direction, type, created_at, status, text) values ('m${i}', 'cv_1', 'inbound', 'text', '${at}', 'received', '${text}')`)
    }
    migrate(db, { migrationsFolder })
    client.close()
    expect(messageMark(join(dir, "loket.db"))).toBe(2)
    expect(messagesIndexed(join(dir, "loket.db"), "subsidie")).toBe(1)
    expect(integrityCheck(join(dir, "loket.db"), "message_search")).toBe("ok")
    // Contacts written before 0014 stay in their index; none waits.
    expect([contactsIndexed(join(dir, "loket.db"), "Visser"), pendingContacts(join(dir, "loket.db"))]).toEqual([1, 0])
    expect(integrityCheck(join(dir, "loket.db"), "contact_search")).toBe("ok")
  })
})
