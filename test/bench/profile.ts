/**
 * Where does Loket's ingest time go? Not part of `npm run bench`: run it by hand with
 *   npx tsx test/bench/profile.ts [messages=10000] [FULL|NORMAL]
 * Starts the gateway child with `--cpu-prof`, sends single-message webhooks (64 in flight),
 * waits until all are committed, stops the child with SIGTERM (which writes the profile) and
 * prints the self time per function and per file.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { spawn } from "node:child_process"
import { baseEnv, freePort } from "../support/gateway.ts"
import { openCounter, singleMessageWebhooks } from "./ingest.ts"
import { summarizeProfiles } from "./cpuprofile.ts"
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

for (const line of summarizeProfiles(dir)) console.log(line)
console.log(`\nprofiles in ${dir}`)
