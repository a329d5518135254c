/**
 * Where does Loket's memory go? Not part of `npm run bench`: run it by hand with
 *   npx tsx test/bench/memory-probe.ts [messages=100000] [residents=20000]
 * LOKET_ENTRY=<file.mjs> runs that precompiled entry with plain node instead of tsx + gateway/main.ts.
 * Runs the gateway child with --expose-gc and heap-probe.ts preloaded, sends the messages
 * (10 per webhook) and prints RSS and the V8 heap (before/after a forced GC) at start, when all
 * are committed, and after the actors passivated (LOKET_ACTOR_IDLE_SECONDS=2).
 */
import { spawn } from "node:child_process"
import { rmSync } from "node:fs"
import { dirname } from "node:path"
import { baseEnv, freePort } from "../support/gateway.ts"
import { batchedWebhooks, openCounter } from "./ingest.ts"
import { closedLoop, makeClient } from "./load.ts"
import { memoryOf } from "./servers.ts"

const messages = Number(process.argv[2] ?? 100_000)
const residents = Number(process.argv[3] ?? 20_000)
const env = baseEnv({ LOKET_ACTOR_IDLE_SECONDS: "2" })
delete env.LOKET_SQLITE_SYNCHRONOUS
const port = await freePort()
const root = new URL("../../", import.meta.url).pathname
const entry = process.env.LOKET_ENTRY
const args = [...(process.env.LOKET_NODE_ARGS ?? "").split(" ").filter(Boolean), "--expose-gc", ...(entry === undefined ? ["--import", "tsx"] : []), "--import", `${root}test/bench/heap-probe.mjs`, entry ?? "gateway/main.ts"]
console.log(`child: node ${args.join(" ")}`)
const child = spawn(process.execPath, args, {
  cwd: root,
  env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env, PORT: String(port), HOST: "127.0.0.1" },
  stdio: ["ignore", "pipe", "inherit"]
})
let output = ""
child.stdout!.on("data", (chunk: Buffer) => (output += String(chunk)))
const until = async (f: () => boolean, ms: number) => {
  const start = Date.now()
  while (!f() && Date.now() - start < ms) await new Promise((r) => setTimeout(r, 20))
}
await until(() => output.includes("Loket listening"), 20_000)
const probe = async (label: string) => {
  const before = memoryOf(child.pid!)
  const seen = output.length
  child.kill("SIGUSR2")
  await until(() => output.slice(seen).includes("HEAP-PROBE"), 10_000)
  const line = output.slice(seen).split("\n").find((l) => l.startsWith("HEAP-PROBE")) ?? "HEAP-PROBE null"
  console.log(`${label}: VmRSS ${before.rssMiB.toFixed(1)} MiB, VmHWM ${before.hwmMiB.toFixed(1)} MiB\n  ${line.slice(11)}`)
}
await probe("at start")
const counter = openCounter(env.DATABASE_URL!.replace(/^file:/, ""))
const client = makeClient(`http://127.0.0.1:${port}`, "/webhooks/whatsapp", 64)
const bodies = batchedWebhooks(messages, residents, 10, 20_000_000)
const t0 = performance.now()
await closedLoop(client, bodies, 64)
console.log(`answered in ${Math.round(performance.now() - t0)} ms`)
await probe("all answered")
await counter.waitFor(messages, 180_000, 50)
console.log(`committed in ${Math.round(performance.now() - t0)} ms`)
await new Promise((r) => setTimeout(r, 5_000))
await probe("5 s after the last commit (passivated)")
await probe("again (after the forced GC above)")
client.close()
counter.close()
child.kill("SIGKILL")
rmSync(dirname(env.DATABASE_URL!.replace(/^file:/, "")), { recursive: true, force: true })
