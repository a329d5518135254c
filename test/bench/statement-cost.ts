/**
 * Not part of `npm run bench`: what one SQL statement costs through drizzle when it is built and
 * prepared on every call (as the outbound path's outbox/delivery statements are) versus prepared
 * once. In-memory SQLite with Loket's schema, so the figures are CPU only (no fsync).
 *   npx tsx test/bench/statement-cost.ts
 */
import BetterSqlite from "better-sqlite3"
import { drizzle } from "drizzle-orm/better-sqlite3"
import { migrate } from "drizzle-orm/better-sqlite3/migrator"
import { and, eq, sql } from "drizzle-orm"
import * as schema from "../../drizzle/schema.ts"
import { migrationsFolder } from "../../drizzle/sqlite.ts"
const { outbox, messages, orphanStatuses, conversations } = schema
const client = new BetterSqlite(":memory:")
const db = drizzle({ client, schema })
migrate(db, { migrationsFolder })
const N = 20000
const time = (name: string, f: (i: number) => void) => {
  for (let i = 0; i < 2000; i++) f(i)
  const t = performance.now()
  for (let i = 0; i < N; i++) f(i)
  console.log(`${name.padEnd(60)} ${(((performance.now() - t) * 1000) / N).toFixed(1)} µs/call`)
}
time("unprepared: update outbox set state where seq (markSending)", (i) => db.update(outbox).set({ state: "sending" }).where(eq(outbox.seq, i)).run())
const p1 = db.update(outbox).set({ state: sql`${sql.placeholder("state")}` }).where(eq(outbox.seq, sql.placeholder("seq"))).prepare()
time("prepared:   same", (i) => p1.run({ state: "sending", seq: i }))
time("unprepared: settleOutbox update", (i) => db.update(outbox).set({ state: "sent", lastError: null, sentAt: new Date().toISOString() }).where(and(eq(outbox.messageId, `m${i}`), sql`${outbox.state} in ('pending', 'sending', 'unconfirmed')`)).run())
time("unprepared: takeOrphanStatuses select", (i) => db.select().from(orphanStatuses).where(eq(orphanStatuses.providerMessageId, `w${i}`)).all())
time("unprepared: select conversation by id (Conversations.send)", (i) => db.select().from(conversations).where(eq(conversations.id, `c${i}`)).get())
const p2 = db.select().from(conversations).where(eq(conversations.id, sql.placeholder("id"))).prepare()
time("prepared:   same", (i) => p2.get({ id: `c${i}` }))
time("unprepared: updateMessageDelivery", (i) => db.update(messages).set({ status: "sent", error: null, providerMessageId: `w${i}` }).where(eq(messages.seq, i)).run())
time("raw better-sqlite3 prepare only (update messages ...)", () => client.prepare("update messages set status = ?, error = ?, provider_message_id = ? where seq = ?"))
const c = schema.contacts
time("unprepared: contact look-up by number (ContactDirectory, before)", (i) => db.select().from(c).where(and(eq(c.channel, "whatsapp"), sql`(${c.waId} in (${`316${i}`}))`)).all())
const p3 = db.select().from(c).where(and(eq(c.channel, sql.placeholder("channel")), eq(c.waId, sql.placeholder("waId")))).prepare()
time("prepared:   same (ContactDirectory, now)", (i) => p3.all({ channel: "whatsapp", waId: `316${i}` }))
