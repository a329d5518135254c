/**
 * Not part of `npm run bench`: the CPU one Graph API send costs the gateway's process, through the
 * client's keep-alive `node:http` agent (adapters/whatsapp-cloud/send/keep-alive.ts, what Loket uses)
 * versus through Node's `fetch` (what it used before; passed as the client's `fetch` option). Both
 * against the same timed stand-in child (./graph-timed.ts, 5 ms latency), 64 in flight, in rounds that
 * alternate between the two so a machine whose speed swings weighs on both alike.
 *   npx tsx test/bench/graph-client-cost.ts
 * GRAPH_CLIENT_BASE=<another checkout, e.g. .tmp/base-src>: its keep-alive client instead of `fetch` (a before/after).
 */
import { resolve } from "node:path"
import { makeGraphSendClient } from "../../adapters/whatsapp-cloud/send/graph-client.ts"
import { fixtures } from "../support/whatsapp.ts"
import { marker, startTimedGraphChild } from "./graph-timed.ts"

const ROUNDS = 6
const PER_ROUND = 3_000
const IN_FLIGHT = 64
const TOKEN = "bench-access-token"

const graph = await startTimedGraphChild({ accessToken: TOKEN, latencyMs: 5, capacity: ROUNDS * 2 * PER_ROUND + 10_000 })
const base = process.env.GRAPH_CLIENT_BASE
const baseClient = base === undefined ? undefined
  : (await import(resolve(base, "adapters/whatsapp-cloud/send/graph-client.ts")) as { makeGraphSendClient: typeof makeGraphSendClient }).makeGraphSendClient
const clients = {
  "keep-alive node:http": makeGraphSendClient({ graphApiUrl: graph.url, accessToken: TOKEN }),
  [baseClient === undefined ? "fetch (undici)" : "keep-alive of the base"]: baseClient === undefined
    ? makeGraphSendClient({ graphApiUrl: graph.url, accessToken: TOKEN, fetch: (input, init) => globalThis.fetch(input, init) })
    : baseClient({ graphApiUrl: graph.url, accessToken: TOKEN })
}
let n = 0
async function round(client: ReturnType<typeof makeGraphSendClient>, count: number): Promise<{ cpuUs: number; wallMs: number }> {
  const cpu = process.cpuUsage()
  const t = performance.now()
  let next = 0
  const worker = async () => {
    while (next < count) {
      next++
      await client.send({
        channelAccountId: fixtures.DEFAULT_PHONE_NUMBER_ID, to: { waId: "31612345678", userId: null }, trackingId: `out_${n}`,
        content: { type: "text", text: `Goedemiddag, het grofvuil wordt donderdag opgehaald. ${marker(n++)}`, previewUrl: false }
      })
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const used = process.cpuUsage(cpu)
  return { cpuUs: used.user + used.system, wallMs: performance.now() - t }
}
try {
  for (const client of Object.values(clients)) await round(client, 1_000) // warm-up
  const totals = new Map<string, { cpuUs: number; wallMs: number; sends: number }>()
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, client] of r % 2 === 0 ? Object.entries(clients) : Object.entries(clients).reverse()) {
      const x = await round(client, PER_ROUND)
      const t = totals.get(name) ?? { cpuUs: 0, wallMs: 0, sends: 0 }
      totals.set(name, { cpuUs: t.cpuUs + x.cpuUs, wallMs: t.wallMs + x.wallMs, sends: t.sends + PER_ROUND })
    }
  }
  const rows = [...totals].map(([name, t]) => ({ name, usPerSend: t.cpuUs / t.sends, rate: t.sends / (t.wallMs / 1000) }))
  for (const row of rows) console.log(`${row.name.padEnd(22)} ${row.usPerSend.toFixed(0).padStart(5)} µs CPU per send   ${Math.round(row.rate).toLocaleString("en-US").padStart(7)} sends/s (${IN_FLIGHT} in flight)`)
  console.log(`keep-alive ÷ ${baseClient === undefined ? "fetch" : "the base's keep-alive"}, CPU per send: ${(rows[0]!.usPerSend / rows[1]!.usPerSend).toFixed(2)}`)
  const report = await graph.report()
  console.log(`stand-in: ${report.duplicates} duplicates, ${report.refused} refused, ${report.problems.length} problems`)
} finally {
  await graph.close()
}
