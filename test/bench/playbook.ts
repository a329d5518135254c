/**
 * Part 10 of `npm run bench`: what the playbook adds to the per-message ingest cost, in one run.
 * The same closed-loop ingest (messages from residents who write several times, as part 1's
 * client sends them) against Loket in three settings, each its own child process:
 *  - off: every auto-reply and the follow-up off (the office hours are not even asked);
 *  - decision + timers: closed now, the follow-up on (each message asks the office hours and
 *    re-arms its conversation's durable timer), the out-of-hours reply off;
 *  - everything: the same with the out-of-hours reply on (one per resident, through the outbox
 *    to a local Graph stand-in).
 * Target: decision + timers cost at most 5 % of the rate with the playbook off. Off and
 * decision + timers run three times, alternating, and the best of each is kept (other processes
 * on the machine disturb one run more than another).
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { localDate } from "../../domain/office-hours/zone.ts"
import { tempDir } from "../support/gateway.ts"
import { startGraphStandIn } from "../support/graph-stand-in.ts"
import { fixtures } from "../support/whatsapp.ts"
import { batchedWebhooks, openCounter } from "./ingest.ts"
import { closedLoop, formatStatuses, makeClient, type Reporter as BaseReporter } from "./load.ts"
import { type ServerUnderTest, startLoket } from "./servers.ts"

const quick = process.env.BENCH_QUICK === "1"
export const PLAYBOOK_BENCH = {
  messages: quick ? 3_000 : 12_000,
  residents: quick ? 300 : 1_200,
  warmup: quick ? 300 : 1_200,
  concurrency: 64,
  /** Off and decision + timers alternate this many times; the best of each counts. */
  rounds: 3,
  target: 0.05
}
const ACCESS_TOKEN = "bench-playbook-token"
const TEMPLATE = { name: "loket_follow_up", language: "nl" }

interface Reporter extends BaseReporter {
  readonly withServer: <A>(start: () => Promise<ServerUnderTest>, f: (s: ServerUnderTest) => Promise<A>) => Promise<A>
}

/** A LOKET_CONFIG file: closed today and tomorrow (in Amsterdam), the follow-up on, the out-of-hours reply as given. */
function closedConfig(outOfHours: boolean): string {
  const now = Date.now()
  const file = join(tempDir("loket-bench-playbook-"), "settings.json")
  writeFileSync(file, JSON.stringify({
    officeHours: { overrides: { [localDate(now, "Europe/Amsterdam")]: [], [localDate(now + 86_400_000, "Europe/Amsterdam")]: [] } },
    autoReplies: { outOfHours: { enabled: outOfHours } },
    followUp: { enabled: true, template: TEMPLATE }
  }))
  return file
}

export async function playbookBench(r: Reporter): Promise<void> {
  const P = PLAYBOOK_BENCH
  const standIn = await startGraphStandIn({ accessToken: ACCESS_TOKEN, wabaId: fixtures.DEFAULT_WABA_ID })
  standIn.templates([{ ...TEMPLATE, status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "Heb je nog hulp nodig?" }] }])
  const graphEnv = {
    GRAPH_API_URL: standIn.url, WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN, WHATSAPP_BUSINESS_ACCOUNT_ID: fixtures.DEFAULT_WABA_ID,
    WHATSAPP_PHONE_NUMBER_ID: fixtures.DEFAULT_PHONE_NUMBER_ID, WHATSAPP_MESSAGES_PER_SECOND: "1000"
  }
  let residentsFrom = 80_000_000
  const run = (label: string, extra: Record<string, string>) => r.withServer(() => startLoket(`Loket FULL (playbook: ${label})`, "default", { ...graphEnv, ...extra }), async (s) => {
    // Sent now by Meta's clock: the residents' windows are open, so the out-of-hours reply goes.
    const now = Math.floor(Date.now() / 1000)
    const warmup = batchedWebhooks(P.warmup, P.warmup, 1, residentsFrom, now)
    residentsFrom += P.warmup
    const bodies = batchedWebhooks(P.messages, P.residents, 1, residentsFrom, now)
    residentsFrom += P.residents
    const client = makeClient(s.url, "/webhooks/whatsapp", P.concurrency)
    const counter = openCounter(s.dbPath!)
    try {
      await closedLoop(client, warmup, P.concurrency)
      await counter.waitFor(warmup.length, 60_000)
      const t0 = performance.now()
      const result = await closedLoop(client, bodies, P.concurrency)
      const at = await counter.waitFor(warmup.length + P.messages, 120_000)
      const ms = (at ?? performance.now()) - t0
      const rate = P.messages / (ms / 1000)
      r.log(`${s.name}: ${P.messages} msgs from ${P.residents} residents committed in ${Math.round(ms)} ms [${formatStatuses(result.statuses)}]`)
      return { rate, committed: at !== undefined }
    } finally {
      counter.close()
      client.close()
    }
  })
  try {
    const offConfig = new URL("../support/playbook-off.json", import.meta.url).pathname
    const timersConfig = closedConfig(false)
    const offs: Array<{ rate: number; committed: boolean }> = []
    const ons: Array<{ rate: number; committed: boolean }> = []
    for (let i = 0; i < P.rounds; i++) {
      offs.push(await run("off", { LOKET_CONFIG: offConfig }))
      ons.push(await run("decision + timers", { LOKET_CONFIG: timersConfig }))
    }
    const all = await run("everything", { LOKET_CONFIG: closedConfig(true) })
    const f0 = (n: number) => Math.round(n).toLocaleString("en-US")
    const off = Math.max(...offs.map((x) => x.rate))
    const on = Math.max(...ons.map((x) => x.rate))
    const cost = 1 - on / off
    r.row(`7. playbook off: ${f0(P.messages)} msgs from ${f0(P.residents)} residents (best of ${P.rounds})`, `${f0(off)} msg/s committed (runs: ${offs.map((x) => f0(x.rate)).join(", ")})`)
    r.row(`7. playbook on, closed: office-hours decision + follow-up timer per message (best of ${P.rounds})`, `${f0(on)} msg/s (runs: ${ons.map((x) => f0(x.rate)).join(", ")}): ${(cost * 100).toFixed(1)} % slower`)
    r.row("7. playbook on, closed, with the out-of-hours reply (one per resident, sent)", `${f0(all.rate)} msg/s: ${((1 - all.rate / off) * 100).toFixed(1)} % slower; ${standIn.sent.length} replies at the Graph stand-in by then`)
    const committed = [...offs, ...ons, all].every((x) => x.committed)
    r.verdict(committed && cost <= P.target, `playbook cost on ingest: decision + timers ${(cost * 100).toFixed(1)} % (target ≤ ${P.target * 100} %)`)
  } finally {
    await standIn.close()
  }
}
