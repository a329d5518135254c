/**
 * Part 8 of `npm run bench` (BENCH_ONLY=8): resident safety.
 * - Precision and recall per flag over the labelled set (test/fixtures/resident-safety-messages.ts),
 *   targets ≥ 0.97 each and exactly 1.0 for BSN and IBAN.
 * - Detection cost per message, in this process: the labelled set (most messages hold something)
 *   and the ingest bench's own question (holds nothing, as most residents' messages).
 * - Ingest on and off: the gateway (production build) ingesting single-message webhooks — the ingest
 *   bench's own text (part 1; the target), then the labelled set's texts (the worst case) — with
 *   `personalData.detect` and `linkProtection.mode: "neutralize"` on, and with both off (LOKET_CONFIG;
 *   `warnResident` off in both so only detection differs), alternating off/on twice per text set.
 *   The cost is the gateway process's CPU time per message
 *   (/proc/<pid>/stat, user + system, warm-up included), the median of each mode: on a shared machine
 *   the rate swings far more than detection costs, CPU time much less. Target: on costs at most 10 %
 *   more per message. The rates are printed beside it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { inspectText } from "../../domain/safety/inspect.ts"
import { LABELLED_LINK_POLICY, LABELLED_MESSAGES } from "../fixtures/resident-safety-messages.ts"
import { textWebhooks } from "./ingest.ts"
import type { Prepared } from "./load.ts"
import { LABELLED_OPTIONS, scoreLabelledSet } from "./safety-score.ts"
import { type ServerUnderTest, startLoket } from "./servers.ts"

export interface SafetyBenchDeps {
  readonly log: (line: string) => void
  readonly row: (label: string, value: string) => void
  readonly verdict: (ok: boolean, what: string) => void
  readonly withServer: <A>(start: () => Promise<ServerUnderTest>, f: (s: ServerUnderTest) => Promise<A>) => Promise<A>
  readonly ingest: (server: ServerUnderTest, warmup: ReadonlyArray<Prepared>, bodies: ReadonlyArray<Prepared>, messages: number) => Promise<{ readonly rate: number; readonly committed: boolean; readonly statuses: string }>
}

const QUESTION = "Goedemiddag, wanneer wordt het grofvuil in onze straat opgehaald? Ik heb een oude bank en twee matrassen."

/** User + system CPU seconds of a process so far (Linux /proc; clock ticks at 100 Hz). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

export async function safetyBench(d: SafetyBenchDeps, p: { readonly warmup: number; readonly messages: number }): Promise<void> {
  // --- precision and recall
  for (const s of scoreLabelledSet()) {
    const floor = s.category === "pii:bsn" || s.category === "pii:iban" ? 1 : 0.97
    d.row(`8. ${s.category}: precision / recall (TP ${s.truePositives}, FP ${s.falsePositives}, FN ${s.falseNegatives})`, `${s.precision.toFixed(3)} / ${s.recall.toFixed(3)}`)
    d.verdict(s.precision >= floor && s.recall >= floor, `${s.category}: precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)} over ${LABELLED_MESSAGES.length} labelled messages (target ≥ ${floor === 1 ? "1.0" : floor})`)
    for (const m of s.misses.slice(0, 3)) d.log(`  ${s.category} ${m.slice(0, 120)}`)
  }

  // --- detection cost in this process
  const neutralize = { ...LABELLED_OPTIONS, linkMode: "neutralize" as const }
  const perMessageMicros = (texts: ReadonlyArray<string>) => {
    const rounds = Math.max(3, Math.ceil(30_000 / texts.length))
    for (const t of texts) inspectText(t, neutralize)
    const t0 = performance.now()
    for (let r = 0; r < rounds; r++) for (const t of texts) inspectText(t, neutralize)
    return ((performance.now() - t0) * 1000) / (rounds * texts.length)
  }
  const labelledCost = perMessageMicros(LABELLED_MESSAGES.map((m) => m.text))
  const plainCost = perMessageMicros([QUESTION])
  d.row("8. detection per message, labelled set (most hold personal data or links)", `${labelledCost.toFixed(1)} µs`)
  d.row("8. detection per message, the ingest bench's question (holds nothing)", `${plainCost.toFixed(1)} µs`)

  // --- ingest on and off
  const dir = mkdtempSync(join(tmpdir(), "loket-bench-safety-"))
  const config = (on: boolean) => {
    const file = join(dir, `settings-${on ? "on" : "off"}.json`)
    writeFileSync(file, JSON.stringify({
      personalData: { detect: on, warnResident: false, maskForAgents: false },
      linkProtection: { mode: on ? "neutralize" : "off", allowDomains: LABELLED_LINK_POLICY.allowDomains, blockDomains: LABELLED_LINK_POLICY.blockDomains }
    }))
    return file
  }
  const files = { on: config(true), off: config(false) }
  try {
    // The ingest bench's own text (part 1: holds nothing, as most residents' messages) is what the
    // target is about; the labelled set (nearly every message holds personal data or links) is the worst case.
    for (const [label, texts, isTarget] of [["the ingest bench's question", [QUESTION], true], ["labelled texts", LABELLED_MESSAGES.map((m) => m.text), false]] as const) {
      const cpu = { on: [] as Array<number>, off: [] as Array<number> }
      const rates = { on: [] as Array<number>, off: [] as Array<number> }
      let round = 0
      for (const mode of ["off", "on", "off", "on"] as const) {
        round++
        const first = 80_000_000 + (isTarget ? 0 : 10_000_000) + round * 1_000_000
        const warmup = textWebhooks(texts, p.warmup, first)
        const bodies = textWebhooks(texts, p.messages, first + 500_000)
        const r = await d.withServer(() => startLoket(`Loket detection ${mode} (${label})`, "default", { LOKET_CONFIG: files[mode] }), async (s) => {
          const before = cpuSecondsOf(s.pid)
          const result = await d.ingest(s, warmup, bodies, bodies.length)
          return { ...result, cpuMicros: ((cpuSecondsOf(s.pid) - before) * 1e6) / (warmup.length + bodies.length) }
        })
        if (!r.committed) continue
        cpu[mode].push(r.cpuMicros)
        rates[mode].push(r.rate)
      }
      const costOff = median(cpu.off)
      const costOn = median(cpu.on)
      const added = costOn / costOff - 1
      const inProcess = isTarget ? plainCost : labelledCost
      d.row(`8. ingest, ${label}, ${p.messages.toLocaleString("en-US")} webhooks × 2 per mode: gateway CPU per message, off / on (median)`, `${costOff.toFixed(0)} / ${costOn.toFixed(0)} µs  (each run: off ${cpu.off.map((c) => c.toFixed(0)).join(", ")}; on ${cpu.on.map((c) => c.toFixed(0)).join(", ")})`)
      d.row(`8. ingest, ${label}: rate off / on (each run; this machine's load swings it)`, `off ${rates.off.map((r) => Math.round(r)).join(", ")}; on ${rates.on.map((r) => Math.round(r)).join(", ")} msg/s`)
      d.row(`8. ingest, ${label}: cost detection adds per message (CPU)`, `${(added * 100).toFixed(1)} % (detection in process: ${inProcess.toFixed(1)} µs = ${((inProcess / costOff) * 100).toFixed(1)} % of the off cost)`)
      if (isTarget) d.verdict(Number.isFinite(added) && added <= 0.1, `detection adds ${(added * 100).toFixed(1)} % to the gateway's CPU time per ingested message, the ingest bench's messages (target ≤ 10 %)`)
      else d.verdict(true, `(information) worst case, labelled texts: detection adds ${(added * 100).toFixed(1)} % CPU per message`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
