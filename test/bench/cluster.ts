/**
 * Part 6 of `npm run bench`: cluster ingest and failover. Two gateways in cluster mode (the
 * production bundle, NATS_URL on the test NATS, a fresh PostgreSQL database and NATS namespace,
 * LOKET_PARTITIONS and LOKET_LEASE_MS at their defaults) take unique signed single-message
 * webhooks round-robin, closed loop with part 1's concurrency. A 200 means JetStream acknowledged
 * the event; the partition owners then commit it to PostgreSQL.
 *
 * Baseline, in the same run against the same NATS: nats.js publishing to a JetStream stream set up
 * like the gateway's, awaiting each acknowledgement, same concurrency, payloads of the size of
 * the event the gateway publishes (./raw-jetstream.ts). Printed: both rates, the ratio (target
 * ≥ 0.5), the rate to committed rows, then the failover figures (./cluster-failover.ts).
 */
import { existsSync } from "node:fs"
import { loadavg } from "node:os"
import { natsUrl } from "../support/services.ts"
import { balanced, type ClusterUnderTest, clusterView, openPgCounter, type PgCounter, profileDir, startCluster, waitForViews } from "./cluster-gateways.ts"
import { summarizeProfiles } from "./cpuprofile.ts"
import { failover, type FailoverFigures } from "./cluster-failover.ts"
import { firstEventOnTheWire, publishedFor, roundRobin } from "./cluster-load.ts"
import { singleMessageWebhooks } from "./ingest.ts"
import { closedLoop, formatStatuses, makeClient, type Prepared } from "./load.ts"
import { cpuSecondsOf, type Reporter } from "./outbound.ts"
import { rawJetStreamPublish, type RawPublishFigures } from "./raw-jetstream.ts"

const quick = process.env.BENCH_QUICK === "1"
export const CLUSTER = {
  instances: 2,
  /** Issue 15: failover under a steady 500 msg/s; BENCH_FAILOVER_RATE=<n> for another rate (earlier runs used 100). */
  failoverRatePerSecond: Number(process.env.BENCH_FAILOVER_RATE ?? 500),
  failoverSeconds: quick ? 12 : 15,
  killAfterMs: 3_000,
  target: 0.5
}
const READY_TIMEOUT_MS = 30_000

export interface ClusterParams {
  readonly concurrency: number
  readonly warmup: number
  readonly messages: number
  readonly commitTimeoutMs: number
}

type Report = Pick<Reporter, "log" | "row" | "verdict">

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a")

interface ClusterIngestFigures {
  /** Webhooks answered 200 (JetStream acknowledged) per second. */
  readonly answeredRate: number
  /** Messages committed as rows in PostgreSQL per second, from the first send to the last row. */
  readonly committedRate: number
  readonly committed: boolean
  readonly statuses: string
  /** CPU seconds each gateway used during the measured send and commit. */
  readonly cpuSeconds: ReadonlyArray<number>
  /** CPU of the PostgreSQL server processes of the gateways' connections (open at the end), during the same time. */
  readonly postgresCpuSeconds: number
}

/** Embedded Loket's figures on the same kind of load, measured in the same run (part 1's `ingest`). */
export interface EmbeddedFigures {
  /** Messages committed per second. */
  readonly rate: number
  readonly cpuSeconds: number
  readonly committed: boolean
}

/** BENCH_CLUSTER_FAILOVER=0 leaves the failover out (to compare builds on ingest alone). */
const withFailover = process.env.BENCH_CLUSTER_FAILOVER !== "0"

export async function clusterBench(report: Report, params: ClusterParams, embedded?: () => Promise<EmbeddedFigures>): Promise<void> {
  report.log(`cluster: building bodies … (load average ${loadavg().map((l) => l.toFixed(2)).join(" ")})`)
  const warmup = singleMessageWebhooks(params.warmup, 40_000_000)
  const bodies = singleMessageWebhooks(params.messages, 41_000_000)
  const published = publishedFor(bodies[0]!)
  const startedAt = performance.now()
  const cluster = await startCluster(CLUSTER.instances)
  try {
    const readyAt = await waitForViews(cluster.gateways.map((g) => g.url), (views) => balanced(views, cluster.partitions), READY_TIMEOUT_MS)
    if (readyAt === undefined) throw new Error(`the cluster's ${cluster.partitions} partitions were not spread over the gateways within ${READY_TIMEOUT_MS / 1000} s`)
    report.log(`cluster: ${cluster.gateways.length} gateways, ${cluster.partitions} partitions spread ${f0(readyAt - startedAt)} ms after the first start`)

    report.log(`raw JetStream: ${f0(params.messages)} publishes of ${published.payloadBytes} bytes, ${params.concurrency} in flight (gateways idle)`)
    const raw = await rawJetStreamPublish({ natsUrl: natsUrl(), ...published, partitions: cluster.partitions, concurrency: params.concurrency, warmup: params.warmup, messages: params.messages })
    report.log(`raw JetStream: ${f0(raw.rate)} msg/s${raw.errors > 0 ? `, errors×${raw.errors} (${raw.firstError})` : ""}`)

    const counter = await openPgCounter(cluster.databaseUrl)
    try {
      const seen = await firstEventOnTheWire(cluster.natsUrl, cluster.namespace, READY_TIMEOUT_MS)
      const ingest = await clusterIngest(cluster, counter, warmup, bodies, params, report.log)
      const wire = await seen()
      reportIngest(report, params, published, wire, raw, ingest)
      if (embedded !== undefined) reportAgainstEmbedded(report, params, ingest, await embedded())
      if (!withFailover) return
      const figures = await failover(cluster, counter, {
        ratePerSecond: CLUSTER.failoverRatePerSecond,
        seconds: CLUSTER.failoverSeconds,
        killAfterMs: CLUSTER.killAfterMs,
        timeoutMs: params.commitTimeoutMs
      }, report.log)
      reportFailover(report, cluster, figures)
    } finally {
      await counter.close()
    }
  } catch (error) {
    for (const g of cluster.gateways) console.error(`${g.instanceId} output:\n${g.output().slice(-3000)}`)
    throw error
  } finally {
    logNoise(cluster, report.log)
    await cluster.stop()
  }
}

/** Warm-up (answered and committed), then the measured closed loop and the wait for its rows. */
async function clusterIngest(cluster: ClusterUnderTest, counter: PgCounter, warmup: ReadonlyArray<Prepared>, bodies: ReadonlyArray<Prepared>, params: ClusterParams, log: (line: string) => void): Promise<ClusterIngestFigures> {
  // Each gateway's share of the sockets: a spare socket idling past the server's keep-alive timeout could be reset while reused.
  const sockets = Math.ceil(params.concurrency / cluster.gateways.length)
  const client = roundRobin(cluster.gateways.map((g) => makeClient(g.url, "/webhooks/whatsapp", sockets)))
  try {
    const w = await closedLoop(client, warmup, params.concurrency)
    if (w.errors > 0 || (w.statuses.get(200) ?? 0) !== warmup.length) throw new Error(`cluster warm-up failed: ${formatStatuses(w.statuses)} ${w.firstError}`)
    if ((await counter.waitFor(warmup.length, params.commitTimeoutMs)) === undefined) throw new Error("cluster warm-up not committed")
    await new Promise((r) => setTimeout(r, 200))

    const base = await counter.count()
    const batchesBefore = await batchesOf(cluster)
    for (const g of cluster.gateways) if (g.profileFile !== undefined) process.kill(g.pid, "SIGUSR2")
    const cpuBefore = cluster.gateways.map((g) => cpuSecondsOf(g.pid))
    const backendsBefore = new Map((await counter.backends()).map((pid) => [pid, backendCpu(pid)]))
    const t0 = performance.now()
    const result = await closedLoop(client, bodies, params.concurrency)
    // Polled every 100 ms: a count(*) every few ms would take PostgreSQL CPU from the gateways.
    const at = await counter.waitFor(base + bodies.length, params.commitTimeoutMs, 100)
    const committedMs = (at ?? performance.now()) - t0
    const cpuSeconds = cluster.gateways.map((g, i) => cpuSecondsOf(g.pid) - cpuBefore[i]!)
    // PostgreSQL's share (its server processes on this machine): those of the gateways' connections.
    const postgresCpuSeconds = (await counter.backends()).reduce((total, pid) => total + backendCpu(pid) - (backendsBefore.get(pid) ?? 0), 0)
    for (const g of cluster.gateways) if (g.profileFile !== undefined) process.kill(g.pid, "SIGUSR2")
    for (const g of cluster.gateways) {
      if (g.profileFile === undefined) continue
      for (const until = performance.now() + 30_000; performance.now() < until && !existsSync(`${g.profileFile}.done`); await new Promise((r) => setTimeout(r, 50)));
    }
    if (profileDir !== undefined) for (const line of summarizeProfiles(profileDir, 40)) log(line)
    const statuses = formatStatuses(result.statuses) + (result.errors > 0 ? ` errors×${result.errors} (${result.firstError})` : "")
    if (at === undefined) log(`cluster: only ${(await counter.count()) - base} of ${bodies.length} committed after ${params.commitTimeoutMs / 1000} s`)
    log(`cluster: ${bodies.length} msgs answered in ${f0(result.elapsedMs)} ms, committed in ${f0(committedMs)} ms [${statuses}]`)
    const batchesAfter = await batchesOf(cluster)
    const applied = batchesAfter.applied - batchesBefore.applied
    // How many events a partition's batch held: what one transaction (and one multi-row insert) gathers.
    if (applied > 0) log(`cluster: ${applied} batches in the measured run, ${((batchesAfter.events - batchesBefore.events) / applied).toFixed(1)} events each on average, ${batchesAfter.failed - batchesBefore.failed} failed`)
    return {
      answeredRate: (result.statuses.get(200) ?? 0) / (result.elapsedMs / 1000),
      committedRate: bodies.length / (committedMs / 1000),
      committed: at !== undefined,
      statuses,
      cpuSeconds,
      postgresCpuSeconds
    }
  } finally {
    client.close()
  }
}

/** A PostgreSQL server process's CPU seconds so far (0 once it has gone). */
function backendCpu(pid: number): number {
  try {
    return cpuSecondsOf(pid)
  } catch {
    return 0
  }
}

/** The batches both gateways have applied since they started (GET /api/v1/admin/cluster). */
async function batchesOf(cluster: ClusterUnderTest) {
  const views = await Promise.all(cluster.gateways.map((g) => clusterView(g.url)))
  const sum = (pick: (b: { applied: number; events: number; failed: number }) => number) =>
    views.reduce((total, view) => total + (view.batches === undefined ? 0 : pick(view.batches)), 0)
  return { applied: sum((b) => b.applied), events: sum((b) => b.events), failed: sum((b) => b.failed) }
}

function reportIngest(
  report: Report,
  params: ClusterParams,
  published: { readonly payloadBytes: number },
  wire: { readonly payloadBytes: number; readonly msgId: string } | undefined,
  raw: RawPublishFigures,
  ingest: ClusterIngestFigures
) {
  const ratio = ingest.answeredRate / raw.rate
  const cpu = ingest.cpuSeconds.map((s) => s.toFixed(1)).join(" + ")
  const cpuPerMessageMs = (ingest.cpuSeconds.reduce((a, b) => a + b, 0) * 1000) / params.messages
  report.row("6. event published per webhook (JSON of the parsed event)", `${published.payloadBytes} bytes${wire === undefined ? "" : `; seen on the wire: ${wire.payloadBytes} bytes, Nats-Msg-Id ${wire.msgId.length} chars`}`)
  report.row(`6. raw JetStream publish, nats.js, ${f0(params.messages)} × ${published.payloadBytes} B, ${params.concurrency} in flight`, `${f0(raw.rate)} msg/s acknowledged${raw.errors > 0 ? ` (errors×${raw.errors})` : ""}`)
  report.row(`6. cluster, ${CLUSTER.instances} gateways round-robin, ${params.concurrency} in flight: 200s (JetStream acked)`, `${f0(ingest.answeredRate)} msg/s [${ingest.statuses}]`)
  report.row("6. cluster: to committed rows in PostgreSQL", `${f0(ingest.committedRate)} msg/s${ingest.committed ? "" : " NOT ALL COMMITTED"}`)
  report.row("6. ratio cluster 200s / raw JetStream   (target ≥ 0.5)", ratio.toFixed(3))
  report.row("6. ratio cluster committed / raw (for comparison)", (ingest.committedRate / raw.rate).toFixed(3))
  report.row("6. gateways' CPU during the measured send + commit", `${cpu} s (${cpuPerMessageMs.toFixed(2)} ms per message)`)
  report.row("6. PostgreSQL's CPU for the gateways' connections, same time", `${ingest.postgresCpuSeconds.toFixed(1)} s (${((ingest.postgresCpuSeconds * 1000) / params.messages).toFixed(2)} ms per message)`)
  report.verdict(ratio >= CLUSTER.target && ingest.committed, `cluster ingest: ${CLUSTER.instances} gateways ${f0(ingest.answeredRate)} msg/s acknowledged = ${ratio.toFixed(2)} × raw JetStream publish ${f0(raw.rate)} msg/s (target ≥ ${CLUSTER.target})`)
}

/** One cluster gateway's cost against embedded Loket's, same run, same bodies (the targets of issue 15, item 1). */
function reportAgainstEmbedded(report: Report, params: ClusterParams, ingest: ClusterIngestFigures, embedded: EmbeddedFigures) {
  const clusterMs = (ingest.cpuSeconds.reduce((a, b) => a + b, 0) * 1000) / params.messages
  const embeddedMs = (embedded.cpuSeconds * 1000) / params.messages
  const cpuRatio = clusterMs / embeddedMs
  const rateRatio = ingest.committedRate / embedded.rate
  report.row("6. embedded Loket, same bodies, same run: CPU per message / committed", `${embeddedMs.toFixed(2)} ms / ${f0(embedded.rate)} msg/s${embedded.committed ? "" : " NOT ALL COMMITTED"}`)
  report.row("6. ratio cluster gateways' CPU per message / embedded's   (target ≤ 1.5)", cpuRatio.toFixed(2))
  report.row("6. ratio cluster messages visible per second / embedded's   (target ≥ 0.7)", rateRatio.toFixed(2))
  report.verdict(cpuRatio <= 1.5, `cluster CPU per message ${clusterMs.toFixed(2)} ms = ${cpuRatio.toFixed(2)} × embedded's ${embeddedMs.toFixed(2)} ms (target ≤ 1.5)`)
  report.verdict(rateRatio >= 0.7, `cluster committed ${f0(ingest.committedRate)} msg/s = ${rateRatio.toFixed(2)} × embedded's ${f0(embedded.rate)} msg/s (target ≥ 0.7)`)
}

function reportFailover(report: Report, cluster: ClusterUnderTest, f: FailoverFigures) {
  report.row(`6. failover: kill -9 of ${f.victim} (not leading, ${f.victimPartitions} partitions); survivor ${f.survivor}`, `load ${CLUSTER.failoverRatePerSecond}/s for ${CLUSTER.failoverSeconds} s: ${f.load}`)
  report.row(`6. kill → survivor owns all ${cluster.partitions} partitions (LOKET_LEASE_MS 5,000)`, `${f0(f.ownedAllMs)} ms`)
  report.row(`6. kill → probe from a resident of partition ${f.probePartition} (was ${f.victim}'s): 200 / in the API`, `${f0(f.probeAckedMs)} / ${f0(f.probeVisibleMs)} ms`)
  report.row("6. acknowledged webhooks of the failover load → rows", `${f.committed} rows for ${f.acknowledged} acknowledged${f.allCommitted ? "" : " — SOME MISSING"}`)
}

/** Anything a gateway logged beyond its start lines (warnings, errors), shortened. */
function logNoise(cluster: ClusterUnderTest, log: (line: string) => void) {
  for (const g of cluster.gateways) {
    const noise = g.output().split("\n").filter((l) => l.trim() !== "" && !/listening|not fully configured|is off:/.test(l))
    if (noise.length > 0) log(`${g.instanceId} logged ${noise.length} lines, e.g.:\n    ${noise.slice(0, 5).join("\n    ").slice(0, 1500)}`)
  }
}
