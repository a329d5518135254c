/**
 * Where does Loket's ingest time go? Not part of `npm run bench`: run it by hand with
 *   npx tsx test/bench/profile.ts [messages=10000] [FULL|NORMAL] [rate]
 * Starts Loket as production runs it (the bundle, `startLoket`; BENCH_BUNDLE=<main.mjs> for another
 * build), sends single-message webhooks (64 in flight; with `rate`, that many a second, open loop, as
 * part 2 does), profiles its CPU from the first webhook
 * until all are committed (test/bench/loop-probe.mjs: SIGUSR2 starts and stops the profiler), and
 * prints the self time per function and per file, named by the bundle's module comments.
 */
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { openCounter, singleMessageWebhooks } from "./ingest.ts"
import { summarizeProfiles } from "./cpuprofile.ts"
import { closedLoop, makeClient, openLoop } from "./load.ts"
import { cpuSecondsOf } from "./outbound.ts"
import { startLoket } from "./servers.ts"

const messages = Number(process.argv[2] ?? 10_000)
const sync = process.argv[3] === "NORMAL" ? "NORMAL" : "default"
const rate = process.argv[4] === undefined ? undefined : Number(process.argv[4])
const dir = mkdtempSync(join(tmpdir(), "loket-prof-"))
const profile = join(dir, "ingest.cpuprofile")
const loket = await startLoket("Loket", sync, { LOOP_PROBE_PROFILE: profile })
const counter = openCounter(loket.dbPath!)
const client = makeClient(loket.url, "/webhooks/whatsapp", 64)
const bodies = singleMessageWebhooks(messages, 10_000_000)
const cpu0 = cpuSecondsOf(loket.pid)
process.kill(loket.pid, "SIGUSR2")
const t0 = performance.now()
const r = rate === undefined ? await closedLoop(client, bodies, 64) : await openLoop(client, bodies, 1000 / rate, (messages / rate) * 1000 + 5_000)
const answered = performance.now() - t0
const at = await counter.waitFor(messages, 180_000)
const cpuMs = (cpuSecondsOf(loket.pid) - cpu0) * 1000
process.kill(loket.pid, "SIGUSR2")
await waitForFile(profile)
console.log(`${messages} webhooks (${sync === "NORMAL" ? "NORMAL" : "FULL"}): answered in ${Math.round(answered)} ms, committed in ${Math.round((at ?? NaN) - t0)} ms; ` +
  `Loket's CPU ${(cpuMs / messages).toFixed(3)} ms per message; statuses ${[...r.statuses]}`)
client.close()
counter.close()
await loket.stop()
for (const line of summarizeProfiles(dir)) console.log(line)
console.log(`\nprofile in ${dir}`)

async function waitForFile(path: string) {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50))
}
