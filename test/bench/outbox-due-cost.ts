/**
 * Not part of `npm run bench`: what the outbox dispatcher's `due` read costs with a backlog of
 * waiting sends (in-memory SQLite with Loket's schema: CPU only), through drizzle, prepared, as
 * actors/outbox/OutboxStore.ts runs it.
 *   npx tsx test/bench/outbox-due-cost.ts
 */
import BetterSqlite from "better-sqlite3"
import { drizzle } from "drizzle-orm/better-sqlite3"
import { migrate } from "drizzle-orm/better-sqlite3/migrator"
import { Effect } from "effect"
import * as schema from "../../drizzle/schema.ts"
import { makeSqliteShape, migrationsFolder, preparedControl } from "../../drizzle/sqlite.ts"
import { makeOutboxStore } from "../../actors/outbox/OutboxStore.ts"

const request = { channelAccountId: "pn", to: { waId: "31600000000", userId: null }, content: { type: "text", text: "Goedemiddag, het grofvuil in uw straat wordt donderdag opgehaald. Zet het vóór 7.30 uur buiten." }, replyTo: null, trackingId: "msg_x" }
for (const backlog of [256, 1_000, 5_000, 20_000]) {
  const client = new BetterSqlite(":memory:")
  const db = drizzle({ client, schema })
  migrate(db, { migrationsFolder })
  client.pragma("foreign_keys = OFF")
  const insert = client.prepare("insert into outbox (message_id, conversation_id, channel, channel_account_id, contact_id, request, state, attempts, not_before, created_at) values (?, ?, 'whatsapp', 'pn', ?, ?, 'pending', 0, ?, ?)")
  const at = new Date(Date.now() - 60_000).toISOString()
  client.transaction(() => {
    for (let i = 0; i < backlog; i++) insert.run(`msg_${i}`, `c${i % 2000}`, `k${i % 2000}`, JSON.stringify({ ...request, trackingId: `msg_${i}` }), at, at)
  })()
  const database = makeSqliteShape(db as never, () => true, ":memory:", preparedControl((sql) => client.prepare(sql)))
  const store = makeOutboxStore(database)
  const now = new Date().toISOString()
  const rounds = 200
  for (let i = 0; i < 20; i++) Effect.runSync(store.due(now, 256))
  const t = process.cpuUsage()
  for (let i = 0; i < rounds; i++) Effect.runSync(store.due(now, 256))
  const used = process.cpuUsage(t)
  const plan = client.prepare("explain query plan select * from outbox where state in ('pending', 'unconfirmed') and not_before <= ? order by seq limit 256").all(now) as Array<{ detail: string }>
  console.log(`backlog ${String(backlog).padStart(6)}: due(256) ${((used.user + used.system) / rounds / 1000).toFixed(2)} ms CPU per round  [${plan.map((p) => p.detail).join("; ")}]`)
  client.close()
}
