/**
 * Where does Loket's ingest time go? Not part of `npm run bench`: run it by hand with
 *   npx tsx test/bench/profile.ts [messages=10000] [FULL|NORMAL]
 * Starts the gateway child with `--cpu-prof`, sends single-message webhooks (64 in flight),
 * waits until all are committed, stops the child with SIGTERM (which writes the profile) and
 * prints the self time per function and per file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { spawn } from "node:child_process"
import { baseEnv, freePort } from "../support/gateway.ts"
import { openCounter, singleMessageWebhooks } from "./ingest.ts"
import { closedLoop, makeClient } from "./load.ts"

const messages = Number(process.argv[2] ?? 10_000)
const sync = process.argv[3] === "NORMAL" ? "NORMAL" : "FULL"
const dir = mkdtempSync(join(tmpdir(), "loket-prof-"))
const env = baseEnv({ LOKET_SQLITE_SYNCHRONOUS: sync })
// Like startChildGateway, with --cpu-prof (which NODE_OPTIONS does not take).
const port = await freePort()
const child = spawn(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--import", "tsx", "gateway/main.ts"], {
  cwd: new URL("../../", import.meta.url).pathname,
  env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env, PORT: String(port), HOST: "127.0.0.1" },
  stdio: ["ignore", "pipe", "inherit"]
})
await new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("gateway did not start in 20 s")), 20_000)
  child.stdout!.on("data", (chunk: Buffer) => {
    if (String(chunk).includes("Loket listening")) {
      clearTimeout(timer)
      resolve()
    }
  })
})
const gateway = { url: `http://127.0.0.1:${port}`, child }
const counter = openCounter(env.DATABASE_URL!.replace(/^file:/, ""))
const client = makeClient(gateway.url, "/webhooks/whatsapp", 64)
const bodies = singleMessageWebhooks(messages, 10_000_000)
const t0 = performance.now()
const r = await closedLoop(client, bodies, 64)
const answered = performance.now() - t0
const at = await counter.waitFor(messages, 180_000)
console.log(`${messages} webhooks (${sync}): answered in ${Math.round(answered)} ms, committed in ${Math.round((at ?? NaN) - t0)} ms; statuses ${[...r.statuses]}`)
client.close()
counter.close()
const exited = new Promise((resolve) => gateway.child.once("exit", resolve))
gateway.child.kill("SIGTERM")
await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
rmSync(dirname(env.DATABASE_URL!.replace(/^file:/, "")), { recursive: true, force: true })

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: Array<number> }
for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as { nodes: Array<Node>; samples: Array<number>; timeDeltas: Array<number> }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  let idle = 0
  profile.samples.forEach((id, i) => {
    if (byId.get(id)!.callFrame.functionName === "(idle)") idle += profile.timeDeltas[i] ?? 0
    else self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  if (total < 3e6) continue // the loader thread's profile: next to nothing
  const fn = new Map<string, number>()
  const fileTotals = new Map<string, number>()
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame
    const short = url.replace(/^.*\/work\/main\//, "").replace(/^file:\/\//, "")
    const where = short.includes("node_modules/") ? short.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, "$1") : short || "(native)"
    fn.set(`${functionName || "(anonymous)"}  ${short}:${lineNumber + 1}`, (fn.get(`${functionName || "(anonymous)"}  ${short}:${lineNumber + 1}`) ?? 0) + us)
    fileTotals.set(where, (fileTotals.get(where) ?? 0) + us)
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle (percentages: of busy time)`)
  console.log("self time by package / file:")
  for (const [k, v] of [...fileTotals].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(v)}  ${k}`)
  console.log("self time by function:")
  for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${pct(v)}  ${k}`)
}
console.log(`\nprofiles in ${dir}`)
