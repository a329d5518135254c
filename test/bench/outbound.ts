/**
 * Part 5 of `npm run bench`: outbound. Agents' replies offered open-loop at a steady rate to
 * `POST /api/v1/conversations/:id/messages`; Loket's outbox sends them to a local Graph stand-in
 * (./graph-timed.ts, 5 ms latency, in a process of its own) at most WHATSAPP_MESSAGES_PER_SECOND per number.
 * Measured at the stand-in: the achieved rate, the busiest sliding second (Meta's per-number
 * limit), and accept (202 received) → arrival at the stand-in per message. From Loket's SQLite
 * file (read-only): when every message is `sent` there.
 *
 * Free text needs an open 24-hour window, so `residents` residents write first (signed webhooks,
 * timestamped now), and the replies go round-robin over their conversations (a few each: far
 * below Meta's pair burst).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import http from "node:http"
import { monitorEventLoopDelay } from "node:perf_hooks"
import BetterSqlite from "better-sqlite3"
import { ADMIN_TOKEN } from "../support/gateway.ts"
import { fixtures } from "../support/whatsapp.ts"
import { busiestWindow, epoch, marker, startTimedGraphChild, type TimedGraphChild } from "./graph-timed.ts"
import { prepare, waIdOf } from "./ingest.ts"
import { closedLoop, formatStatuses, makeClient, percentile, type Reporter as BaseReporter } from "./load.ts"
import { summarizeHeapProfile, summarizeProfiles } from "./cpuprofile.ts"
import { type BenchRuntime, type ServerUnderTest, startLoket } from "./servers.ts"

const quick = process.env.BENCH_QUICK === "1"
export const OUT = {
  ratePerSecond: Number(process.env.BENCH_OUT_RATE ?? 1_000),
  limitPerSecond: Number(process.env.BENCH_OUT_LIMIT ?? 1_000),
  pairBurst: 45,
  graphLatencyMs: 5,
  residents: 2_000,
  warmupSeconds: 2,
  seconds: quick ? 3 : 10,
  sync: "FULL (default)",
  /** BENCH_OUT_PROFILE=1: Loket's CPU is profiled during the offer (Node); the summary is printed after the part. */
  profile: process.env.BENCH_OUT_PROFILE === "1" || process.env.BENCH_OUT_PROFILE === "heap",
  /** BENCH_OUT_PROFILE=heap: what Loket allocates during the offer (sampled, garbage included), by function, instead of its CPU. */
  heap: process.env.BENCH_OUT_PROFILE === "heap"
}
const ACCESS_TOKEN = "bench-access-token"
const FIRST_RESIDENT = 80_000_000
const DRAIN_TIMEOUT_MS = 30_000
const LOW_TEXT = "Goedemiddag, het grofvuil in uw straat wordt donderdag opgehaald. Zet het vóór 7.30 uur buiten."

export interface Reporter extends BaseReporter {
  readonly withServer: <A>(start: () => Promise<ServerUnderTest>, f: (s: ServerUnderTest) => Promise<A>) => Promise<A>
}

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 10 ms). */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Bytes the process (all its threads) had written: to the page cache (`wchar`) and to storage (`write_bytes`); Linux. */
export function bytesWrittenBy(pid: number): { readonly wchar: number; readonly storage: number } {
  const io = readFileSync(`/proc/${pid}/io`, "utf8")
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, "m").exec(io)?.[1] ?? Number.NaN)
  return { wchar: field("wchar"), storage: field("write_bytes") }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a")
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "n/a")

/** The agent side: one keep-alive client, a POST per reply. */
function agentClient(url: string, maxSockets: number) {
  const target = new URL(url)
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: "lifo" })
  const headers = { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` }
  const post = (path: string, body: Buffer) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = http.request({ agent, host: target.hostname, port: Number(target.port), method: "POST", path, headers: { ...headers, "content-length": body.length } }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }))
        res.on("error", reject)
      })
      r.setTimeout(30_000, () => r.destroy(new Error("request timed out after 30 s")))
      r.on("error", reject)
      r.end(body)
    })
  return { post, close: () => agent.destroy() }
}

interface Reply {
  readonly path: string
  readonly body: Buffer
}

interface PhaseResult {
  readonly first: number
  readonly count: number
  /** Per reply (index − first): request written, 202 read (performance.now); NaN when not answered 202. */
  readonly sentAt: Float64Array
  readonly answeredAt: Float64Array
  readonly statuses: Map<number, number>
  readonly errors: number
  readonly firstError: string | undefined
  readonly sendLag: Array<number>
  readonly startedAt: number
  readonly lastSentAt: number
  /** Replies answered 202 but not yet at the stand-in when the last one was sent. */
  readonly backlogAtEnd: number
}

/**
 * Open loop: reply k is due at start + k / rate and goes out then, answered or not. Bounded in time.
 * `arrived()`: how many of this phase's replies the stand-in has (for the backlog when the offer ends).
 */
async function offer(client: ReturnType<typeof agentClient>, arrived: () => Promise<number>, replies: ReadonlyArray<Reply>, first: number, count: number, rate: number): Promise<PhaseResult> {
  const interval = 1000 / rate
  const sentAt = new Float64Array(count).fill(Number.NaN)
  const answeredAt = new Float64Array(count).fill(Number.NaN)
  const statuses = new Map<number, number>()
  const sendLag: Array<number> = []
  let errors = 0
  let answered = 0
  let firstError: string | undefined
  const inFlight: Array<Promise<void>> = []
  const start = performance.now()
  const deadline = start + (count / rate) * 1000 + 5_000
  let k = 0
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now()
      if (now > deadline) return resolve()
      while (k < count && start + k * interval <= now) {
        const i = k++
        sendLag.push(now - (start + i * interval))
        sentAt[i] = now
        const reply = replies[first + i]!
        inFlight.push(client.post(reply.path, reply.body).then(
          (answer) => {
            const t = performance.now()
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
            if (answer.status === 202) {
              answeredAt[i] = t
              answered++
            } else firstError ??= `${answer.status} ${answer.body.slice(0, 200)}`
          },
          (error) => {
            errors++
            firstError ??= String(error)
          }
        ))
      }
      if (k >= count) return resolve()
      setTimeout(tick, Math.max(0, start + k * interval - performance.now() - 0.5))
    }
    tick()
  })
  const lastSentAt = performance.now()
  const answeredThen = answered
  const backlogAtEnd = answeredThen - (await arrived())
  await Promise.race([Promise.all(inFlight), sleep(30_000)])
  return { first, count, sentAt, answeredAt, statuses, errors, firstError, sendLag, startedAt: start, lastSentAt, backlogAtEnd }
}

/** Polls until `target` distinct replies have arrived at the stand-in; false on timeout. */
async function arrivedAll(graph: TimedGraphChild, target: number, timeoutMs: number): Promise<boolean> {
  for (const until = performance.now() + timeoutMs; performance.now() < until; await sleep(20)) {
    if ((await graph.distinct()) >= target) return true
  }
  return (await graph.distinct()) >= target
}

/** What ./loop-probe.mjs wrote for the seconds in [from, to] (epoch ms): Loket's event loop and its fsyncs. */
function loopFigures(file: string, from: number, to: number) {
  interface Line { at: number; wallMs: number; elu: number; cpuMs: number; mainThread?: { runMs: number; runqueueMs: number }; gc?: { minor: number; minorMs: number; major: number; majorMs: number }; heapMiB?: number; delayMs: { p50: number; p99: number }; fsync: { n: number; p50: number; max: number } }
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Line)
    .filter((l) => l.at > from + 1000 && l.at <= to + 1000)
  const median = (xs: Array<number>) => percentile(xs, 50)
  const sampled = lines.filter((l) => l.delayMs.p99 > 0)
  const flushed = lines.filter((l) => l.fsync.n > 0)
  const wall = lines.reduce((a, l) => a + l.wallMs, 0)
  return {
    seconds: lines.length,
    elu: lines.reduce((a, l) => a + l.elu * l.wallMs, 0) / Math.max(1, wall),
    cpuShare: lines.reduce((a, l) => a + l.cpuMs, 0) / Math.max(1, wall),
    // The main thread (the event loop) alone: on a CPU, runnable but waiting for one, and the busy rest (blocked in a synchronous call).
    mainRun: lines.reduce((a, l) => a + (l.mainThread?.runMs ?? Number.NaN), 0) / Math.max(1, wall),
    mainRunqueue: lines.reduce((a, l) => a + (l.mainThread?.runqueueMs ?? Number.NaN), 0) / Math.max(1, wall),
    mainRunMs: lines.reduce((a, l) => a + (l.mainThread?.runMs ?? Number.NaN), 0),
    delayP50: median(sampled.map((l) => l.delayMs.p50)),
    delayP99: median(sampled.map((l) => l.delayMs.p99)),
    worstP99: Math.max(0, ...sampled.map((l) => l.delayMs.p99)),
    gcMinorPerSecond: lines.reduce((a, l) => a + (l.gc?.minor ?? 0), 0) / Math.max(1, wall / 1000),
    gcMinorShare: lines.reduce((a, l) => a + (l.gc?.minorMs ?? 0), 0) / Math.max(1, wall),
    gcMajor: lines.reduce((a, l) => a + (l.gc?.major ?? 0), 0),
    gcMajorShare: lines.reduce((a, l) => a + (l.gc?.majorMs ?? 0), 0) / Math.max(1, wall),
    heapMaxMiB: Math.max(0, ...lines.map((l) => l.heapMiB ?? 0)),
    fsyncPerSecond: lines.reduce((a, l) => a + l.fsync.n, 0) / Math.max(1, wall / 1000),
    fsyncP50: median(flushed.map((l) => l.fsync.p50)),
    fsyncMax: Math.max(0, ...flushed.map((l) => l.fsync.max))
  }
}

/** Per runtime: achieved rate, busiest second, CPU per reply (for the side-by-side row). */
const byRuntime = new Map<BenchRuntime, { rate: number; busiest: number; cpuMs: number; p99: number }>()
export const outboundSideBySide = () => {
  const node = byRuntime.get("node")
  const bun = byRuntime.get("bun")
  if (node === undefined || bun === undefined) return "n/a"
  return `achieved ${f0(node.rate)} ↔ ${f0(bun.rate)} msg/s; busiest second ${f0(node.busiest)} ↔ ${f0(bun.busiest)}; CPU per reply ${node.cpuMs.toFixed(2)} ↔ ${bun.cpuMs.toFixed(2)} ms; accept → stand-in p99 ${f0(node.p99)} ↔ ${f0(bun.p99)} ms`
}

export async function outboundBench(reporter: Reporter, runtime: BenchRuntime = "node"): Promise<void> {
  // Bun's rows say so; Node's keep their names.
  const r: Reporter = runtime === "node" ? reporter : {
    ...reporter,
    row: (label, value) => reporter.row(label.replace(/^5\. /, "5. Bun: "), value),
    verdict: (ok, what) => reporter.verdict(ok, `on Bun: ${what}`)
  }
  const warmCount = OUT.ratePerSecond * OUT.warmupSeconds
  const count = OUT.ratePerSecond * OUT.seconds
  const total = warmCount + count
  const graph = await startTimedGraphChild({ accessToken: ACCESS_TOKEN, latencyMs: OUT.graphLatencyMs, capacity: total })
  const lag = monitorEventLoopDelay({ resolution: 5 })
  const env = {
    GRAPH_API_URL: graph.url,
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: fixtures.DEFAULT_PHONE_NUMBER_ID,
    WHATSAPP_MESSAGES_PER_SECOND: String(OUT.limitPerSecond),
    WHATSAPP_PAIR_BURST: String(OUT.pairBurst)
  }
  const profileDir = OUT.profile && runtime === "node" ? mkdtempSync(join(tmpdir(), "loket-outprof-")) : undefined
  // On Node, Loket's own event loop is watched from inside (./loop-probe.mjs): is it busy, starved, or waiting on fsync?
  // BENCH_OUT_PROFILE=1: the same probe profiles the CPU of the production bundle during the offer (SIGUSR2 starts and stops it).
  const probeFile = runtime === "node" ? join(mkdtempSync(join(tmpdir(), "loket-loop-")), "loop.jsonl") : undefined
  if (probeFile !== undefined) Object.assign(env, { LOOP_PROBE_OUT: probeFile })
  if (profileDir !== undefined) Object.assign(env, { LOOP_PROBE_PROFILE: join(profileDir, "offer.cpuprofile") }, OUT.heap ? { LOOP_PROBE_HEAP: "1" } : {})
  try {
    await r.withServer(() => startLoket(`Loket FULL (outbound${runtime === "bun" ? ", Bun" : ""})`, "default", env, runtime), async (s) => {
      const db = new BetterSqlite(s.dbPath!, { readonly: true, fileMustExist: true })
      const agents = agentClient(s.url, 256)
      try {
        // --- residents write first: their 24-hour windows open
        r.log(`outbound: ${f0(OUT.residents)} residents write first`)
        const now = String(Math.floor(Date.now() / 1000))
        const webhooks = []
        for (let k = 0; k < OUT.residents; k += 10) {
          const contacts = []
          const items = []
          for (let j = k; j < Math.min(OUT.residents, k + 10); j++) {
            const waId = waIdOf(FIRST_RESIDENT + j)
            contacts.push(fixtures.contact({ waId, name: `Inwoner ${j}` }))
            items.push(fixtures.textMessage({ from: waId, body: `Wanneer wordt het grofvuil opgehaald? (${j})`, timestamp: now }))
          }
          webhooks.push(prepare(fixtures.webhookBody({ contacts, messages: items })))
        }
        const hooks = makeClient(s.url, "/webhooks/whatsapp", 16)
        const w = await closedLoop(hooks, webhooks, 16)
        hooks.close()
        if ((w.statuses.get(200) ?? 0) !== webhooks.length) throw new Error(`resident webhooks: ${formatStatuses(w.statuses)} ${w.firstError}`)
        const open = db.prepare("select c.id as id, ct.handle as handle from conversations c join contacts ct on ct.id = c.contact_id where c.window_expires_at > ?")
        let rows: Array<{ id: string; handle: string }> = []
        for (const until = performance.now() + 60_000; performance.now() < until; await sleep(50)) {
          rows = open.all(new Date().toISOString()) as typeof rows
          if (rows.length >= OUT.residents) break
        }
        const byHandle = new Map(rows.map((row) => [row.handle, row.id]))
        const conversationIds = Array.from({ length: OUT.residents }, (_, j) => byHandle.get(waIdOf(FIRST_RESIDENT + j)))
        if (conversationIds.some((id) => id === undefined)) throw new Error(`only ${rows.length} of ${OUT.residents} conversations have an open window`)

        // --- the replies, prepared before timing: reply n goes to resident n mod residents
        const replies: Array<Reply> = Array.from({ length: total }, (_, n) => ({
          path: `/api/v1/conversations/${conversationIds[n % OUT.residents]}/messages`,
          body: Buffer.from(JSON.stringify({ text: `${LOW_TEXT} ${marker(n)}` }), "utf8")
        }))
        const sentInDb = db.prepare("select count(*) as n from messages where direction = 'outbound' and status in ('sent', 'delivered', 'read')")
        const sentCount = () => (sentInDb.get() as { n: number }).n

        r.log(`outbound warm-up: ${OUT.warmupSeconds} s at ${f0(OUT.ratePerSecond)}/s`)
        const warm = await offer(agents, async () => 0, replies, 0, warmCount, OUT.ratePerSecond)
        if ((warm.statuses.get(202) ?? 0) !== warmCount) throw new Error(`outbound warm-up: ${formatStatuses(warm.statuses)} errors ${warm.errors} ${warm.firstError}`)
        if (!(await arrivedAll(graph, warmCount, DRAIN_TIMEOUT_MS))) throw new Error("outbound warm-up did not reach the stand-in")
        await sleep(500)

        const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")
        r.log(`outbound: ${OUT.seconds} s at ${f0(OUT.ratePerSecond)}/s (load average before: ${load})`)
        lag.enable()
        if (profileDir !== undefined) process.kill(s.pid, "SIGUSR2")
        const cpu0 = { child: cpuSecondsOf(s.pid), graph: cpuSecondsOf(graph.pid), self: process.cpuUsage(), at: performance.now() }
        const m = await offer(agents, async () => (await graph.distinct()) - warmCount, replies, warmCount, count, OUT.ratePerSecond)
        const accepted = m.statuses.get(202) ?? 0
        const drained = await arrivedAll(graph, warmCount + accepted, DRAIN_TIMEOUT_MS)
        lag.disable()
        if (profileDir !== undefined) {
          process.kill(s.pid, "SIGUSR2")
          for (const until = performance.now() + 30_000; performance.now() < until && !existsSync(join(profileDir, "offer.cpuprofile.done")); await sleep(50));
        }
        const cpuWall = (performance.now() - cpu0.at) / 1000
        const selfCpu = process.cpuUsage(cpu0.self)
        const cpu = {
          child: (cpuSecondsOf(s.pid) - cpu0.child) / cpuWall,
          graph: (cpuSecondsOf(graph.pid) - cpu0.graph) / cpuWall,
          self: (selfCpu.user + selfCpu.system) / 1e6 / cpuWall,
          wall: cpuWall
        }
        let allSentInDb: number | undefined
        for (const until = performance.now() + DRAIN_TIMEOUT_MS; performance.now() < until; await sleep(20)) {
          if (sentCount() >= warmCount + accepted) {
            allSentInDb = performance.now()
            break
          }
        }
        const report = await graph.report()
        const lastAnswer = Math.max(...Array.from(m.answeredAt).filter((t) => !Number.isNaN(t)))

        // --- figures (stand-in times are epoch ms; this process's are converted with epoch())
        const busiest = busiestWindow(report.arrivals) // every marked arrival, warm-up included, in order
        if (process.env.BENCH_OUT_DUMP !== undefined) {
          writeFileSync(process.env.BENCH_OUT_DUMP, JSON.stringify({ arrivals: report.arrivals, offerStart: epoch(m.startedAt), busiest }))
        }
        const phaseArrivals: Array<number> = []
        const fromAccept: Array<number> = []
        const fromRequest: Array<number> = []
        const toAnswer: Array<number> = []
        for (let i = 0; i < m.count; i++) {
          const t = report.arrivedAt[warmCount + i]!
          if (!Number.isNaN(t)) phaseArrivals.push(t)
          if (Number.isNaN(m.answeredAt[i]!) || Number.isNaN(t)) continue
          fromAccept.push(t - epoch(m.answeredAt[i]!))
          fromRequest.push(t - epoch(m.sentAt[i]!))
          toAnswer.push(m.answeredAt[i]! - m.sentAt[i]!)
        }
        phaseArrivals.sort((a, b) => a - b)
        const t0 = phaseArrivals[0]!
        const t1 = phaseArrivals[phaseArrivals.length - 1]!
        const steady = phaseArrivals.filter((t) => t >= t0 + 1000 && t < t1 - 1000).length
        const steadyRate = steady / ((t1 - t0 - 2000) / 1000)
        const offeredRate = m.count / ((m.lastSentAt - m.startedAt) / 1000)
        const p = (xs: Array<number>, q: number) => f1(percentile(xs, q))
        const non202 = m.count - accepted
        // per second of the offer: the latency's trend (a backlog that grows shows as a rising p99)
        const perSecond: Array<string> = []
        for (let sec = 0; sec < OUT.seconds; sec++) {
          const xs: Array<number> = []
          for (let i = sec * OUT.ratePerSecond; i < Math.min(m.count, (sec + 1) * OUT.ratePerSecond); i++) {
            const t = report.arrivedAt[warmCount + i]!
            if (!Number.isNaN(t) && !Number.isNaN(m.answeredAt[i]!)) xs.push(t - epoch(m.answeredAt[i]!))
          }
          perSecond.push(f0(percentile(xs, 99)))
        }

        r.row(`5. outbound ${f0(OUT.ratePerSecond)}/s × ${OUT.seconds} s (${f0(m.count)} replies, ${f0(OUT.residents)} residents), Graph ${OUT.graphLatencyMs} ms`, `offered ${f0(offeredRate)}/s; answered ${formatStatuses(m.statuses)}${m.errors > 0 ? ` errors×${m.errors}` : ""}; at the stand-in ${f0(phaseArrivals.length)}`)
        r.row("5. achieved send rate at the stand-in, first and last second left out", `${f0(steadyRate)} msg/s (${f0(steady)} msgs in ${f1((t1 - t0 - 2000) / 1000)} s)`)
        r.row(`5. busiest sliding 1 s at the stand-in, warm-up included (limit ${f0(OUT.limitPerSecond)})`, `${f0(busiest.count)} msgs`)
        r.row("5. accept (202 read) → at the stand-in: p50 / p99 / max", `${p(fromAccept, 50)} / ${p(fromAccept, 99)} / ${p(fromAccept, 100)} ms`)
        r.row("5. request sent → at the stand-in: p50 / p99 / max", `${p(fromRequest, 50)} / ${p(fromRequest, 99)} / ${p(fromRequest, 100)} ms`)
        r.row("5. request sent → 202: p50 / p99 / max", `${p(toAnswer, 50)} / ${p(toAnswer, 99)} / ${p(toAnswer, 100)} ms`)
        // SenderLimit lets send k start only once send k − limit was answered a second ago: the gap between their
        // arrivals is a second plus the round trip as Loket's event loop saw it (where the limit held the pace back).
        const gaps: Array<number> = []
        for (let i = OUT.limitPerSecond; i < phaseArrivals.length; i++) gaps.push(phaseArrivals[i]! - phaseArrivals[i - OUT.limitPerSecond]!)
        r.row(`5. arrival k − arrival k − ${f0(OUT.limitPerSecond)} at the stand-in: min / p10 / p50 / p90 / max`, `${p(gaps, 0)} / ${p(gaps, 10)} / ${p(gaps, 50)} / ${p(gaps, 90)} / ${p(gaps, 100)} ms (≥ 1,000 + the round trip seen by Loket where the pace binds)`)
        r.row("5. accept → stand-in p99, per second of the offer", `${perSecond.join(", ")} ms`)
        r.row("5. accepted but not at the stand-in when the offer ended", f0(m.backlogAtEnd))
        r.row("5. all `sent` in Loket's database", allSentInDb === undefined
          ? `NOT within ${DRAIN_TIMEOUT_MS / 1000} s (${f0(sentCount())} of ${f0(warmCount + accepted)})`
          : `${f0(allSentInDb - lastAnswer)} ms after the last 202 (${f0(epoch(allSentInDb) - t1)} ms after the last arrival at the stand-in)`)
        r.row("5. stand-in: duplicates / refused / Meta-rule problems / unmarked", `${report.duplicates} / ${report.refused} / ${report.problems.length} / ${report.unmarked}${report.problems.length > 0 ? ` (${report.problems[0]})` : ""}`)
        r.row("5. CPU, offer start → last arrival: Loket / stand-in / load generator", `${f0(100 * cpu.child)} % / ${f0(100 * cpu.graph)} % / ${f0(100 * cpu.self)} % of one core over ${f1(cpu.wall)} s (load average before: ${load})`)
        r.row("5. Loket's CPU per reply (accept, store, send, settle), offer start → last arrival", `${(1000 * cpu.child * cpu.wall / Math.max(1, accepted)).toFixed(2)} ms (${f0(accepted)} replies)`)
        if (probeFile !== undefined) {
          const loop = loopFigures(probeFile, epoch(cpu0.at), epoch(cpu0.at) + cpu.wall * 1000)
          r.row("5. Loket's event loop, offer start → last arrival: busy (utilisation) / CPU it got", `${f0(100 * loop.elu)} % of the time / ${f0(100 * loop.cpuShare)} % of one core (${loop.seconds} s)`)
          r.row("5. Loket's main thread while busy: on a CPU / runnable, waiting for one / blocked (the rest of busy)", `${f0(100 * loop.mainRun)} % / ${f0(100 * loop.mainRunqueue)} % / ${f0(100 * Math.max(0, loop.elu - loop.mainRun - loop.mainRunqueue))} % of the time`)
          r.row("5. Loket's main thread (the event loop) alone: CPU per reply, offer start → last arrival", `${(loop.mainRunMs / Math.max(1, accepted)).toFixed(2)} ms (the rest of the process's: garbage collection's helper threads, fsyncs, the checkpoint worker)`)
          r.row("5. Loket's garbage collection on the main thread: scavenges per s, their share of the time; other collections, their share; heap used, max", `${f1(loop.gcMinorPerSecond)}/s, ${f1(100 * loop.gcMinorShare)} %; ${loop.gcMajor}, ${f1(100 * loop.gcMajorShare)} %; ${loop.heapMaxMiB} MiB`)
          r.row("5. Loket's event loop: delay p50 / p99 (median over the seconds), worst second's p99", `${f1(loop.delayP50)} / ${f1(loop.delayP99)} ms, ${f1(loop.worstP99)} ms`)
          r.row("5. Loket's write-ahead log flushes (fsync on libuv's pool): per second, p50 / worst", `${f1(loop.fsyncPerSecond)}/s, ${f1(loop.fsyncP50)} / ${f1(loop.fsyncMax)} ms`)
        }
        r.row("5. load generator: event-loop delay p99 / max; send lag p99", `${f1(lag.percentile(99) / 1e6)} / ${f1(lag.max / 1e6)} ms; ${f1(percentile(m.sendLag, 99))} ms`)

        byRuntime.set(runtime, { rate: steadyRate, busiest: busiest.count, cpuMs: 1000 * cpu.child * cpu.wall / Math.max(1, accepted), p99: percentile(fromAccept, 99) })
        // No sender can send exactly the limit in every sliding second without going over it now and then: 2 % slack.
        const rateOk = steadyRate >= OUT.ratePerSecond * 0.98 && drained
        r.verdict(rateOk && non202 === 0, `outbound ${f0(OUT.ratePerSecond)} msg/s sustained for one sender: ${f0(steadyRate)} msg/s at the stand-in, ${non202} non-202, accept → stand-in p99 ${p(fromAccept, 99)} ms (target ≥ ${f0(OUT.ratePerSecond * 0.98)} msg/s, i.e. within 2 %)`)
        r.verdict(busiest.count <= OUT.limitPerSecond, `outbound never over the per-number limit: busiest sliding second at the stand-in ${f0(busiest.count)} (limit ${f0(OUT.limitPerSecond)})`)
        r.verdict(report.duplicates === 0 && report.refused === 0 && report.problems.length === 0 && drained && allSentInDb !== undefined, `outbound: every accepted reply reached the stand-in once and is \`sent\` in Loket (${report.duplicates} duplicates, ${report.refused} refused)`)
      } finally {
        agents.close()
        db.close()
      }
    })
  } finally {
    lag.disable()
    await graph.close()
  }
  if (profileDir !== undefined && runtime === "node") {
    console.log(`\n${OUT.heap ? "Allocations" : "CPU profile"} of Loket (the production bundle) from the offer's start to the last arrival, in ${profileDir}:`)
    for (const line of OUT.heap ? summarizeHeapProfile(join(profileDir, "offer.cpuprofile")) : summarizeProfiles(profileDir)) console.log(`  ${line}`)
  }
}
