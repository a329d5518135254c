/**
 * `npm run bench`: Loket's ingest figures against its targets, printed (not a test).
 *  1. ingest throughput to committed rows vs a bare Hono app (target ratio ≥ 0.5); beside them two
 *     floors (./durable-floor.ts): bare Hono plus only what any durable receiver must do (signature,
 *     JSON, a group-committed fsync'd SQLite row per message), and the same plus the rows Loket keeps
 *     (contact, conversation, message) in raw SQL: how much of the ratio this machine leaves to Loket;
 *     the CPU of the server and of this process (the load generator) a message; and issue 15's item 3
 *     modelled: that floor with its writer in a worker thread, and with Loket's extra CPU a message
 *     spent in the writer in either thread (what moving Loket's writer and actors off the HTTP thread could gain)
 *  2. p99 latency at a steady 1,000 msg/s, open loop (target ≤ 10 ms), and the same load on the
 *     raw floor (all of Loket's rows in raw SQL) for what the machine allows; the floor and part 1's
 *     model of Loket with the writer in the HTTP thread and in a worker thread
 *  3. RSS after 100,000 messages from 20,000 residents, actors passivated (target ≤ 250 MiB)
 *  4. Meta's largest batch: 1,000 messages, ~3 MB, time to 200
 *  5. outbound: agents' replies offered at 1,000/s to one sending number, through a local Graph
 *     stand-in with 5 ms latency (./outbound.ts): achieved rate, busiest sliding second (≤ the
 *     configured 1,000), accept → at the stand-in p99
 *  6. cluster (./cluster.ts): two gateways on NATS JetStream and PostgreSQL, webhooks round-robin,
 *     acknowledged rate vs nats.js's raw acknowledged JetStream publish rate with the same payload
 *     size (target ratio ≥ 0.5), the rate to committed rows; failover: kill -9 of the gateway not
 *     leading under load, time until the survivor owns every partition and until a message of the
 *     killed one's residents is acknowledged and in the API. Needs the test NATS and PostgreSQL
 *     (test/support/services.ts: LOKET_TEST_NATS_URL / LOKET_TEST_DATABASE_URL or 127.0.0.1:4222 / :5432)
 *     BENCH_CLUSTER_FAILOVER=0 leaves the failover out; BENCH_FAILOVER_RATE=<n> sets its steady load (default 500/s, issue 15's); BENCH_CLUSTER_PROFILE=1 profiles both gateways during the measured ingest
 *  7. widget (./widget.ts): widget.js gzipped as served (target ≤ 6 KiB), and the time from navigation
 *     to the rendered button in headless Chromium on a host page of another origin with a strict CSP
 *  8. resident safety (./safety.ts): precision and recall per flag over the labelled set, detection
 *     cost per message, the gateway's CPU per message with detection on vs off (target: at most 10 % more)
 * Every server runs in its own child process (but part 7's gateway); the load comes from this one over loopback HTTP.
 *  9. the agent console's conversation list (./conversation-list.ts): 100,000 conversations, 50 agents
 *     with access "team", first page / assignee=me / team / text search, p99 (target ≤ 50 ms)
 * 10. the playbook (./playbook.ts): ingest with the playbook off, with the office-hours decision and
 *     the follow-up timer per message (target: at most 5 % slower), and with the out-of-hours reply too
 * 11. the agent console (./console.ts): its JavaScript and CSS gzipped as served (target ≤ 100 KiB of
 *     JavaScript), navigation → usable list in headless Chromium with 10,000 conversations
 * BENCH_ONLY=1,2,3,5,6,7,8,9,10,11 picks parts (3 includes 4).
 * BENCH_BUNDLE=<path to main.mjs>: Loket on Node from that build instead of this tree's (a before/after:
 *   `git archive <commit> | tar -x -C .tmp/base-src && (cd .tmp/base-src && node scripts/build.mjs ../base-build)`).
 * BENCH_RUNTIMES=node,bun (the default): parts 1, 2 and 5 also run Loket on Bun and print Node and Bun side by side.
 * BENCH_OUT_RATE=<n>, BENCH_OUT_LIMIT=<n> change part 5's offered rate and WHATSAPP_MESSAGES_PER_SECOND (both 1,000);
 * BENCH_OUT_PROFILE=1 profiles the CPU of its Node gateway (the production bundle) during the offer and prints where the time went; BENCH_OUT_DUMP=<file> writes the arrivals.
 * On Node, part 5 also prints what Loket's own event loop did (./loop-probe.mjs): busy share, CPU got, loop delay, fsyncs.
 * BENCH_LOOP_PROBE=<prefix>: every Loket child on Node (parts 1 and 2 too) and the durable floors write those figures once a second to <prefix>.<its name>.
 * BENCH_MODEL_EXTRA_US=<µs>: part 2's model of Loket without part 1 (which measures it).
 * BENCH_RATE=<n> changes part 2's rate (default 1,000/s); BENCH_SPIN=1 makes its schedule spin.
 * BENCH_QUICK=1 scales the counts down (for trying the bench itself, not for figures).
 */
import { cpus } from "node:os"
import { batchedWebhooks, bigBatch, openCounter, singleMessageWebhooks } from "./ingest.ts"
import { closedLoop, formatStatuses, makeClient, median, openLoop, percentile, type Prepared } from "./load.ts"
import { CLUSTER, clusterBench } from "./cluster.ts"
import { bytesWrittenBy, cpuSecondsOf, OUT, outboundBench, outboundSideBySide } from "./outbound.ts"
import { safetyBench } from "./safety.ts"
import { widgetBench } from "./widget.ts"
import { LIST, listBench } from "./conversation-list.ts"
import { PLAYBOOK_BENCH, playbookBench } from "./playbook.ts"
import { consoleBench } from "./console.ts"
import { memoryOf, RUNTIMES, type ServerUnderTest, startBareHono, startDurableFloor, startLoket } from "./servers.ts"

const quick = process.env.BENCH_QUICK === "1"
/** BENCH_ONLY=2,3 runs only those parts (3 includes 4). */
const only = new Set((process.env.BENCH_ONLY ?? "1,2,3,5,6,7,8,9,10,11").split(",").map((s) => s.trim()))
const P = {
  concurrency: 64,
  warmup: quick ? 500 : 2_000,
  throughputMessages: quick ? 4_000 : 20_000,
  openRatePerSecond: Number(process.env.BENCH_RATE ?? 1_000),
  openSeconds: quick ? 3 : 10,
  openWarmupSeconds: 2,
  rssMessages: quick ? 20_000 : 100_000,
  rssResidents: quick ? 4_000 : 20_000,
  rssPerWebhook: 10,
  idleSeconds: 2,
  bigMessages: 1_000,
  bigBytes: 3_000_000,
  bigRepeats: 5
}
const TARGET = { ratio: 0.5, p99Ms: 10, rssMiB: 250, bigMs: 10_000, floorRatio: 0.8, oneRowRatio: 0.5, p99FloorRatio: 1.3 }
const COMMIT_TIMEOUT_MS = 120_000

const started = performance.now()
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "n/a")
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a")
const log = (line: string) => console.log(`[${f1((performance.now() - started) / 1000).padStart(5)} s] ${line}`)
const verdicts: Array<string> = []
const verdict = (ok: boolean, what: string) => verdicts.push(`${ok ? "MET   " : "MISSED"} ${what}`)
const rows: Array<[string, string]> = []
const row = (label: string, value: string) => rows.push([label, value])
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface IngestFigures {
  readonly rate: number
  readonly answeredRate: number
  readonly statuses: string
  readonly committed: boolean
  /** CPU seconds the server's process used during the measured send and commit. */
  readonly cpuSeconds: number
  /** CPU seconds this process (the load generator) used during the measured send. */
  readonly loadCpuSeconds: number
  /** From the first send to the last row committed. */
  readonly wallSeconds: number
}

/** Warm up, then send `bodies` (closed loop) and, for Loket, wait until every message is committed. */
async function ingest(server: ServerUnderTest, warmup: ReadonlyArray<Prepared>, bodies: ReadonlyArray<Prepared>, messages: number): Promise<IngestFigures> {
  const client = makeClient(server.url, "/webhooks/whatsapp", P.concurrency)
  const counter = server.dbPath === undefined ? undefined : openCounter(server.dbPath)
  try {
    const w = await closedLoop(client, warmup, P.concurrency)
    if (w.errors > 0 || (w.statuses.get(200) ?? 0) !== warmup.length) throw new Error(`warm-up failed on ${server.name}: ${formatStatuses(w.statuses)} ${w.firstError}`)
    if (counter !== undefined && (await counter.waitFor(warmup.length, COMMIT_TIMEOUT_MS)) === undefined) throw new Error(`warm-up not committed on ${server.name}`)
    await sleep(200)
    const base = counter?.count() ?? 0
    const cpu0 = cpuSecondsOf(server.pid)
    const load0 = process.cpuUsage()
    const t0 = performance.now()
    const result = await closedLoop(client, bodies, P.concurrency)
    const load = process.cpuUsage(load0)
    const answeredMs = result.elapsedMs
    let committedMs = answeredMs
    let committed = true
    if (counter !== undefined) {
      const at = await counter.waitFor(base + messages, COMMIT_TIMEOUT_MS)
      committed = at !== undefined
      committedMs = (at ?? performance.now()) - t0
      if (!committed) log(`${server.name}: only ${counter.count() - base} of ${messages} committed after ${COMMIT_TIMEOUT_MS / 1000} s; inbox ${JSON.stringify(counter.inboxStates())}`)
    }
    const statuses = formatStatuses(result.statuses) + (result.errors > 0 ? ` errors×${result.errors} (${result.firstError})` : "")
    log(`${server.name}: ${messages} msgs answered in ${f0(answeredMs)} ms, committed in ${f0(committedMs)} ms [${statuses}]`)
    const cpuSeconds = cpuSecondsOf(server.pid) - cpu0
    return {
      rate: messages / (committedMs / 1000), answeredRate: messages / (answeredMs / 1000), statuses, committed, cpuSeconds,
      loadCpuSeconds: (load.user + load.system) / 1e6, wallSeconds: committedMs / 1000
    }
  } finally {
    counter?.close()
    client.close()
  }
}

async function withServer<A>(start: () => Promise<ServerUnderTest>, f: (s: ServerUnderTest) => Promise<A>): Promise<A> {
  const server = await start()
  try {
    return await f(server)
  } catch (error) {
    console.error(`${server.name} output:\n${server.output().slice(-3000)}`)
    throw error
  } finally {
    // Anything the gateway logged beyond its start lines (parked events, errors) is shown.
    const noise = server.output().split("\n").filter((l) => l.trim() !== "" && !/listening|not fully configured|is off:/.test(l))
    if (noise.length > 0) log(`${server.name} logged ${noise.length} lines, e.g.:\n    ${noise.slice(0, 5).join("\n    ").slice(0, 1500)}`)
    await server.stop()
  }
}

async function main() {
  console.log(`Loket ingest, outbound and cluster benchmark${quick ? " (BENCH_QUICK: scaled down, figures not comparable)" : ""}`)
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}, ${process.platform}/${process.arch}`)
  console.log(`parameters: ${JSON.stringify(P)}`)
  if (only.has("5")) console.log(`outbound parameters (part 5): ${JSON.stringify(OUT)}`)
  if (only.has("6")) console.log(`cluster parameters (part 6): ${JSON.stringify(CLUSTER)}`)
  if (only.has("9")) console.log(`conversation list parameters (part 9): ${JSON.stringify(LIST)}`)
  if (only.has("10")) console.log(`playbook parameters (part 10): ${JSON.stringify(PLAYBOOK_BENCH)}`)
  console.log("servers run as child processes (Loket: the production build, node --max-old-space-size=192 --max-semi-space-size=8 dist/main.mjs; its CPU profile run: tsx); load from this process over 127.0.0.1 with a keep-alive node:http Agent\n")

  if (only.has("1")) await throughput()
  if (only.has("2")) await steadyRate()
  if (only.has("3")) await memoryAndBigBatch()
  if (only.has("5")) {
    for (const runtime of RUNTIMES) await outboundBench({ log, row, verdict, withServer }, runtime)
    if (RUNTIMES.length > 1) row("5. Node ↔ Bun, same run", outboundSideBySide())
  }
  if (only.has("6")) {
    // Embedded Loket on the same bodies, in the same run: what one cluster gateway's cost is compared with.
    const embedded = () => withServer(() => startLoket("embedded (part 6's comparison)", "default"), (s) =>
      ingest(s, singleMessageWebhooks(P.warmup, 42_000_000), singleMessageWebhooks(P.throughputMessages, 43_000_000), P.throughputMessages))
    await clusterBench({ log, row, verdict }, { concurrency: P.concurrency, warmup: P.warmup, messages: P.throughputMessages, commitTimeoutMs: COMMIT_TIMEOUT_MS }, embedded)
  }
  if (only.has("7")) await widgetBench({ log, row, verdict })
  if (only.has("8")) await safetyBench({ log, row, verdict, withServer, ingest }, { warmup: P.warmup, messages: P.throughputMessages })
  if (only.has("9")) await listBench({ log, row, verdict })
  if (only.has("10")) await playbookBench({ log, row, verdict, withServer })
  if (only.has("11")) await consoleBench({ log, row, verdict })
  printTable()
}

/** Part 1's measure of Loket's CPU a message beyond the floor's, in µs: part 2's model of Loket uses it (BENCH_MODEL_EXTRA_US=<µs> without part 1). */
let modelledExtraUs = Number(process.env.BENCH_MODEL_EXTRA_US ?? 0)

// --- 1. ingest throughput vs bare Hono ---------------------------------------------------
async function throughput() {
  log("building bodies …")
  const warmup = singleMessageWebhooks(P.warmup, 50_000_000)
  const bodies = singleMessageWebhooks(P.throughputMessages, 10_000_000)
  const bare = await withServer(startBareHono, (s) => ingest(s, warmup, bodies, bodies.length))
  const floor = await withServer(() => startDurableFloor("inbox"), (s) => ingest(s, warmup, bodies, bodies.length))
  const floorFull = await withServer(() => startDurableFloor("full"), (s) => ingest(s, warmup, bodies, bodies.length))
  const floorWorker = await withServer(() => startDurableFloor("full", "worker"), (s) => ingest(s, warmup, bodies, bodies.length))
  const full = await withServer(() => startLoket("Loket FULL", "default"), (s) => ingest(s, warmup, bodies, bodies.length))
  const normal = await withServer(() => startLoket("Loket NORMAL", "NORMAL"), (s) => ingest(s, warmup, bodies, bodies.length))
  const bun = RUNTIMES.includes("bun")
    ? await withServer(() => startLoket("Loket FULL on Bun", "default", {}, "bun"), (s) => ingest(s, warmup, bodies, bodies.length))
    : undefined
  const ratio = full.rate / bare.rate
  row(`1. bare Hono (read body, 200), ${f0(P.throughputMessages)} webhooks`, `${f0(bare.rate)} msg/s`)
  row("1. floor: bare Hono + signature + JSON + an inbox row, group commit + fsync", `${f0(floor.rate)} msg/s = ${(floor.rate / bare.rate).toFixed(3)} × bare  [${floor.statuses}]`)
  row("1. floor: the same + contact, conversation, message rows (raw SQL, Loket's schema)", `${f0(floorFull.rate)} msg/s = ${(floorFull.rate / bare.rate).toFixed(3)} × bare  [${floorFull.statuses}]`)
  row("1. floor with Loket's rows, the SQLite writer in a worker thread (FLOOR_WRITER=worker)", `${f0(floorWorker.rate)} msg/s = ${(floorWorker.rate / floorFull.rate).toFixed(2)} × the floor in one thread  [${floorWorker.statuses}]`)
  row("1. Loket, default durability (FULL): to committed rows", `${f0(full.rate)} msg/s  (200s alone: ${f0(full.answeredRate)}/s)${full.committed ? "" : " NOT ALL COMMITTED"}`)
  row("1. Loket, LOKET_SQLITE_SYNCHRONOUS=NORMAL: to committed rows", `${f0(normal.rate)} msg/s  (200s alone: ${f0(normal.answeredRate)}/s)${normal.committed ? "" : " NOT ALL COMMITTED"}`)
  if (bun !== undefined) {
    row("1. Loket FULL on Bun (Bun.serve, bun:sqlite): to committed rows", `${f0(bun.rate)} msg/s  (200s alone: ${f0(bun.answeredRate)}/s)${bun.committed ? "" : " NOT ALL COMMITTED"}`)
    row("1. Node ↔ Bun, Loket FULL, same run", `${f0(full.rate)} ↔ ${f0(bun.rate)} msg/s: Bun ÷ Node ${(bun.rate / full.rate).toFixed(2)}; ÷ the raw floor ${(full.rate / floorFull.rate).toFixed(2)} ↔ ${(bun.rate / floorFull.rate).toFixed(2)}`)
  }
  row("1. ratio Loket FULL / bare   (target ≥ 0.5)", `${ratio.toFixed(3)}`)
  row("1. ratio Loket NORMAL / bare (for comparison)", `${(normal.rate / bare.rate).toFixed(3)}`)
  row("1. answers", `bare ${bare.statuses}; FULL ${full.statuses}; NORMAL ${normal.statuses}`)
  // Where the machine's cores went: the server's CPU (all its threads) and this process's (the load generator).
  const cores = (figures: IngestFigures) => `server ${(figures.cpuSeconds * 1e6 / P.throughputMessages).toFixed(0)} µs + load ${(figures.loadCpuSeconds * 1e6 / P.throughputMessages).toFixed(0)} µs a message = ${((figures.cpuSeconds + figures.loadCpuSeconds) / figures.wallSeconds).toFixed(2)} of ${cpus().length} cores busy`
  row("1. CPU: the floor with Loket's rows, one thread", cores(floorFull))
  row("1. CPU: the same floor, writer in a worker thread", cores(floorWorker))
  row("1. CPU: Loket FULL", cores(full))
  if (bun !== undefined) row("1. CPU: Loket FULL on Bun", cores(bun))
  // Item 3 of issue 15, modelled: the floor with Loket's extra CPU a message (measured just now) spent in its
  // writer, once in the HTTP thread (as Loket is) and once in a worker thread (as Loket would be with its
  // writer and actors moved there). The gain between the two is what the move could bring on this machine.
  modelledExtraUs = Math.max(0, ((full.cpuSeconds - floorFull.cpuSeconds) * 1e6) / P.throughputMessages)
  const modelThread = await withServer(() => startDurableFloor("full", "thread", modelledExtraUs), (s) => ingest(s, warmup, bodies, bodies.length))
  const modelWorker = await withServer(() => startDurableFloor("full", "worker", modelledExtraUs), (s) => ingest(s, warmup, bodies, bodies.length))
  row(`1. model of Loket (the floor + ${f0(modelledExtraUs)} µs of CPU a message): in the HTTP thread`, `${f0(modelThread.rate)} msg/s (Loket FULL: ${f0(full.rate)})  [${modelThread.statuses}]; ${cores(modelThread)}`)
  row("1. the same model, the writer in a worker thread", `${f0(modelWorker.rate)} msg/s = ${(modelWorker.rate / modelThread.rate).toFixed(2)} × in the HTTP thread; ÷ the floor ${(modelWorker.rate / floorFull.rate).toFixed(2)}  [${modelWorker.statuses}]; ${cores(modelWorker)}`)
  verdict(ratio >= TARGET.ratio && full.committed, `ingest throughput: Loket (FULL) ${f0(full.rate)} msg/s committed = ${ratio.toFixed(2)} × bare Hono ${f0(bare.rate)} msg/s (target ≥ ${TARGET.ratio})`)
  // Issue 15's targets: how close Loket comes to the floors, measured in this run.
  const toFloor = full.rate / floorFull.rate
  const toOneRow = full.rate / floor.rate
  row(`1. Loket FULL ÷ the floor with Loket's rows (target ≥ ${TARGET.floorRatio})`, `${f0(full.rate)} ÷ ${f0(floorFull.rate)} msg/s = ${toFloor.toFixed(2)}${bun === undefined ? "" : `; Bun ${f0(bun.rate)} ÷ ${f0(floorFull.rate)} = ${(bun.rate / floorFull.rate).toFixed(2)}`}`)
  row(`1. Loket FULL ÷ the floor with one row a message (target ≥ ${TARGET.oneRowRatio})`, `${f0(full.rate)} ÷ ${f0(floor.rate)} msg/s = ${toOneRow.toFixed(2)}${bun === undefined ? "" : `; Bun ${f0(bun.rate)} ÷ ${f0(floor.rate)} = ${(bun.rate / floor.rate).toFixed(2)}`}`)
  verdict(toFloor >= TARGET.floorRatio && full.committed, `ingest ÷ the floor with Loket's rows: ${f0(full.rate)} ÷ ${f0(floorFull.rate)} msg/s = ${toFloor.toFixed(2)} (target ≥ ${TARGET.floorRatio})`)
  verdict(toOneRow >= TARGET.oneRowRatio && full.committed, `ingest ÷ the one-row floor: ${f0(full.rate)} ÷ ${f0(floor.rate)} msg/s = ${toOneRow.toFixed(2)} (target ≥ ${TARGET.oneRowRatio})`)
}

// --- 2. p99 at a steady 1,000 msg/s ------------------------------------------------------
async function steadyRate() {
  const interval = 1000 / P.openRatePerSecond
  const openWarm = singleMessageWebhooks(P.openRatePerSecond * P.openWarmupSeconds, 60_000_000)
  const openBodies = singleMessageWebhooks(P.openRatePerSecond * P.openSeconds, 70_000_000)
  /** The same open loop against `start`'s server; rows labelled with `label`. */
  const measure = (start: () => Promise<ServerUnderTest>, label: string) => withServer(start, async (s) => {
    const client = makeClient(s.url, "/webhooks/whatsapp", 256)
    const counter = openCounter(s.dbPath!)
    try {
      log(`${s.name}: open loop warm-up: ${P.openWarmupSeconds} s at ${P.openRatePerSecond}/s`)
      await openLoop(client, openWarm, interval, P.openWarmupSeconds * 1000 + 5_000)
      await counter.waitFor(openWarm.length, 30_000)
      await sleep(500)
      log(`${s.name}: open loop: ${P.openSeconds} s at ${P.openRatePerSecond}/s`)
      const written0 = bytesWrittenBy(s.pid)
      const r = await openLoop(client, openBodies, interval, P.openSeconds * 1000 + 5_000)
      const lastSent = performance.now()
      const at = await counter.waitFor(openWarm.length + openBodies.length, 60_000)
      const written1 = bytesWrittenBy(s.pid)
      const p = (q: number) => percentile(r.latencies, q)
      const non200 = r.latencies.length - (r.statuses.get(200) ?? 0) + r.errors
      row(`2. ${label}: open loop ${P.openRatePerSecond}/s × ${P.openSeconds} s (${f0(openBodies.length)} webhooks)`, `sent ${f0(r.sendLag.length)}, answered ${f0(r.latencies.length)}, non-200 ${non200} [${formatStatuses(r.statuses)}${r.errors > 0 ? ` errors×${r.errors}` : ""}]`)
      row(`2. ${label}: latency from scheduled send: p50 / p90 / p99 / max`, `${p(50).toFixed(2)} / ${p(90).toFixed(2)} / ${p(99).toFixed(2)} / ${p(100).toFixed(2)} ms`)
      row(`2. ${label}: client's own send lag: p99 / max (included above)`, `${percentile(r.sendLag, 99).toFixed(2)} / ${percentile(r.sendLag, 100).toFixed(2)} ms`)
      row(`2. ${label}: latency from actual send (client lag taken out): p50 / p99`, `${percentile(r.fromSend, 50).toFixed(2)} / ${percentile(r.fromSend, 99).toFixed(2)} ms`)
      row(`2. ${label}: all committed after the last send`, at === undefined ? "NOT within the timeout" : `${f0(at - lastSent)} ms later`)
      // What each webhook cost the disk: the write-ahead log, checkpoints into the database file (whose flushes the answers wait for).
      row(`2. ${label}: written a webhook (write calls / to storage)`, `${((written1.wchar - written0.wchar) / openBodies.length / 1024).toFixed(1)} / ${((written1.storage - written0.storage) / openBodies.length / 1024).toFixed(1)} KiB`)
      if (r.firstError !== undefined) row(`2. ${label}: first non-200 / error`, r.firstError)
      return { p99: p(99), non200 }
    } finally {
      counter.close()
      client.close()
    }
  })
  const loket = await measure(() => startLoket("Loket FULL (open loop)", "default"), "Loket FULL")
  const bun = RUNTIMES.includes("bun") ? await measure(() => startLoket("Loket FULL on Bun (open loop)", "default", {}, "bun"), "Loket FULL on Bun") : undefined
  // The same load on the raw floor (./durable-floor.ts, all of Loket's rows): what this machine,
  // its disk's fsync and the load generator leave for any durable receiver.
  const floor = await measure(() => startDurableFloor("full"), "floor (raw SQL, same rows)")
  // The same floor with its SQLite writer in a worker thread: what moving the writer off the HTTP thread could gain.
  const floorWorker = await measure(() => startDurableFloor("full", "worker"), "floor, writer in a worker thread")
  row("2. floor's p99: writer in a worker thread ÷ in the HTTP thread", `${floorWorker.p99.toFixed(2)} ÷ ${floor.p99.toFixed(2)} ms = ${(floorWorker.p99 / floor.p99).toFixed(2)}`)
  // With part 1's model of Loket's own work (its extra CPU a message), in either thread.
  if (modelledExtraUs > 0) {
    const modelThread = await measure(() => startDurableFloor("full", "thread", modelledExtraUs), `model of Loket (+${f0(modelledExtraUs)} µs a message), HTTP thread`)
    const modelWorker = await measure(() => startDurableFloor("full", "worker", modelledExtraUs), `model of Loket (+${f0(modelledExtraUs)} µs a message), worker thread`)
    row("2. model of Loket's p99: writer in a worker thread ÷ in the HTTP thread", `${modelWorker.p99.toFixed(2)} ÷ ${modelThread.p99.toFixed(2)} ms = ${(modelWorker.p99 / modelThread.p99).toFixed(2)}; ÷ the floor's ${(modelWorker.p99 / floor.p99).toFixed(2)} (Loket's own: ${(loket.p99 / floor.p99).toFixed(2)})`)
  }
  if (bun !== undefined) row("2. Node ↔ Bun, p99 at the same load, same run", `${loket.p99.toFixed(2)} ↔ ${bun.p99.toFixed(2)} ms (the raw floor: ${floor.p99.toFixed(2)} ms); non-200 ${loket.non200} ↔ ${bun.non200}`)
  verdict(loket.p99 <= TARGET.p99Ms && loket.non200 === 0, `p99 at ${P.openRatePerSecond} msg/s: ${loket.p99.toFixed(2)} ms, ${loket.non200} non-200 (target ≤ ${TARGET.p99Ms} ms; the raw floor in the same run: ${floor.p99.toFixed(2)} ms)`)
  // Issue 15: Loket's p99 against the floor's (which, like Loket, fsyncs off the event loop), same run.
  const toFloor = loket.p99 / floor.p99
  row(`2. Loket p99 ÷ the raw floor's p99 (target ≤ ${TARGET.p99FloorRatio})`, `${loket.p99.toFixed(2)} ÷ ${floor.p99.toFixed(2)} ms = ${toFloor.toFixed(2)}${bun === undefined ? "" : `; Bun ${bun.p99.toFixed(2)} ÷ ${floor.p99.toFixed(2)} = ${(bun.p99 / floor.p99).toFixed(2)}`}`)
  verdict(toFloor <= TARGET.p99FloorRatio && loket.non200 === 0, `p99 ÷ the raw floor's at ${P.openRatePerSecond} msg/s: ${loket.p99.toFixed(2)} ÷ ${floor.p99.toFixed(2)} ms = ${toFloor.toFixed(2)} (target ≤ ${TARGET.p99FloorRatio})`)
}

// --- 3. RSS after 100,000 messages, 4. Meta's largest batch ------------------------------
async function memoryAndBigBatch() {
  log("building bodies …")
  const rssBodies = batchedWebhooks(P.rssMessages, P.rssResidents, P.rssPerWebhook, 20_000_000)
  const big = Array.from({ length: P.bigRepeats }, (_, i) => bigBatch(P.bigMessages, P.bigBytes, 30_000_000 + i * P.bigMessages))
  await withServer(() => startLoket("Loket FULL (memory)", "default", { LOKET_ACTOR_IDLE_SECONDS: String(P.idleSeconds) }), async (s) => {
    const client = makeClient(s.url, "/webhooks/whatsapp", P.concurrency)
    const counter = openCounter(s.dbPath!)
    try {
      const before = memoryOf(s.pid)
      log(`memory: ${f0(rssBodies.length)} webhooks × ${P.rssPerWebhook} messages from ${f0(P.rssResidents)} residents`)
      const t0 = performance.now()
      const r = await closedLoop(client, rssBodies, P.concurrency)
      const at = await counter.waitFor(P.rssMessages, COMMIT_TIMEOUT_MS, 50)
      const busy = memoryOf(s.pid)
      log(`memory: committed in ${f0((at ?? performance.now()) - t0)} ms [${formatStatuses(r.statuses)}]; waiting for passivation`)
      await sleep((P.idleSeconds + 3) * 1000)
      const idle = memoryOf(s.pid)
      const committed = at !== undefined
      row(`3. ${f0(P.rssMessages)} msgs from ${f0(P.rssResidents)} residents (${P.rssPerWebhook}/webhook), FULL, LOKET_ACTOR_IDLE_SECONDS=${P.idleSeconds}`, `${committed ? "all committed" : `ONLY ${counter.count()} committed`} in ${f0((at ?? performance.now()) - t0)} ms (${f0(P.rssMessages / (((at ?? performance.now()) - t0) / 1000))} msg/s) [${formatStatuses(r.statuses)}]`)
      row("3. RSS at start / when all committed", `${f1(before.rssMiB)} / ${f1(busy.rssMiB)} MiB`)
      row(`3. RSS ${P.idleSeconds + 3} s later (actors passivated) / peak (VmHWM)`, `${f1(idle.rssMiB)} / ${f1(idle.hwmMiB)} MiB`)
      verdict(idle.rssMiB <= TARGET.rssMiB && committed, `RSS after ${f0(P.rssMessages)} messages, actors passivated (idle ${P.idleSeconds} s): ${f1(idle.rssMiB)} MiB, peak ${f1(idle.hwmMiB)} MiB (target ≤ ${TARGET.rssMiB} MiB)`)

      const times: Array<number> = []
      const answers: Array<string> = []
      for (const body of big) {
        const base = counter.count()
        const t = performance.now()
        const answer = await client.post(body)
        times.push(performance.now() - t)
        answers.push(answer.status === 200 ? String(answer.status) : `${answer.status} ${answer.body.slice(0, 120)}`)
        await counter.waitFor(base + P.bigMessages, COMMIT_TIMEOUT_MS, 20)
      }
      const med = median(times)
      row(`4. one ${P.bigMessages}-message webhook, ${f1(big[0]!.body.length / 1e6)} MB: send → 200, median of ${P.bigRepeats}`, `${f0(med)} ms  (all: ${times.map((t) => f0(t)).join(", ")} ms; answers ${answers.join(",")})`)
      verdict(med <= TARGET.bigMs && answers.every((a) => a === "200"), `largest batch (${P.bigMessages} msgs, ${f1(big[0]!.body.length / 1e6)} MB): ${f0(med)} ms to 200 (Meta waits ~${TARGET.bigMs / 1000} s)`)
    } finally {
      counter.close()
      client.close()
    }
  })
}

function printTable() {
  const width = Math.max(...rows.map(([l]) => l.length))
  console.log(`\n${"figure".padEnd(width)}  value`)
  console.log(`${"-".repeat(width)}  ${"-".repeat(40)}`)
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`)
  console.log("\nverdicts:")
  for (const v of verdicts) console.log(`  ${v}`)
  console.log(`\nbench took ${f1((performance.now() - started) / 1000)} s`)
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench broke: ${error instanceof Error ? error.stack : String(error)}`)
    process.exit(1)
  }
)
