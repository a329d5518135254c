/**
 * Preloaded into a gateway child by memory-probe.ts (never by `npm run bench`): on SIGUSR2,
 * prints the process's memory as one JSON line — before and, with --expose-gc, after a full GC.
 * Plain JavaScript so that it can also be preloaded without tsx.
 */
import { getHeapSpaceStatistics } from "node:v8"

const mib = (n) => Math.round((n / 1048576) * 10) / 10
const snapshot = () => {
  const m = process.memoryUsage()
  const spaces = Object.fromEntries(getHeapSpaceStatistics().filter((s) => s.space_used_size > 0).map((s) => [s.space_name, mib(s.space_used_size)]))
  return { rss: mib(m.rss), heapTotal: mib(m.heapTotal), heapUsed: mib(m.heapUsed), external: mib(m.external), spaces }
}
process.on("SIGUSR2", () => {
  const before = snapshot()
  const gc = globalThis.gc
  if (gc !== undefined) gc()
  console.log(`HEAP-PROBE ${JSON.stringify({ before, afterGc: gc === undefined ? null : snapshot() })}`)
})
