/**
 * Not part of `npm run bench`: how fast this machine runs a fixed piece of Loket-like work right now,
 * in CPU time (process.cpuUsage) and wall time. On a machine shared with other work, CPU time per
 * operation rises too (caches, the sibling hyperthread): divide a figure measured in the same minutes
 * by this run's ratio to the quiet machine's, or compare only figures measured side by side.
 *   npx tsx test/bench/cpu-calibration.ts
 */
import BetterSqlite from "better-sqlite3"
import { drizzle } from "drizzle-orm/better-sqlite3"
import { migrate } from "drizzle-orm/better-sqlite3/migrator"
import { eq, sql } from "drizzle-orm"
import * as schema from "../../drizzle/schema.ts"
import { migrationsFolder } from "../../drizzle/sqlite.ts"

const client = new BetterSqlite(":memory:")
const db = drizzle({ client, schema })
migrate(db, { migrationsFolder })
const read = db.select().from(schema.conversations).where(eq(schema.conversations.id, sql.placeholder("id"))).prepare()
const body = JSON.stringify({ text: "Goedemiddag, het grofvuil in uw straat wordt donderdag opgehaald. Zet het vóór 7.30 uur buiten.", previewUrl: false })
const N = 200_000
const unit = (i: number) => {
  read.get({ id: `c${i}` })
  return (JSON.parse(body) as { text: string }).text.length
}
for (let i = 0; i < 20_000; i++) unit(i)
const wall0 = performance.now()
const cpu0 = process.cpuUsage()
let sum = 0
for (let i = 0; i < N; i++) sum += unit(i)
const cpu = process.cpuUsage(cpu0)
const wall = performance.now() - wall0
console.log(`prepared read + JSON.parse: ${(((cpu.user + cpu.system) / N)).toFixed(2)} µs CPU, ${((wall * 1000) / N).toFixed(2)} µs wall per unit (${sum > 0 ? "ok" : ""}); load average ${(await import("node:fs")).readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`)
