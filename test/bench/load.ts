/**
 * The load generator: a keep-alive node:http client, a closed-loop driver (N requests, C in
 * flight) and an open-loop driver (one request per interval, sent on schedule whatever the
 * answers), and percentiles. Bodies and headers are prepared by the caller before timing.
 */
import http from "node:http"

export interface Prepared {
  readonly body: Buffer
  readonly headers: http.OutgoingHttpHeaders
}

export interface Answer {
  readonly status: number
  readonly body: string
}

export interface Client {
  readonly post: (req: Prepared) => Promise<Answer>
  readonly close: () => void
}

/** A keep-alive client for one `http://127.0.0.1:<port><path>`. */
export function makeClient(url: string, path: string, maxSockets = 64): Client {
  const target = new URL(url)
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: "lifo" })
  const post = (req: Prepared): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const r = http.request({
        agent,
        host: target.hostname,
        port: Number(target.port),
        method: "POST",
        path,
        headers: { ...req.headers, "content-length": req.body.length }
      }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }))
        res.on("error", reject)
      })
      r.setTimeout(60_000, () => r.destroy(new Error("request timed out after 60 s")))
      r.on("error", reject)
      r.end(req.body)
    })
  return { post, close: () => agent.destroy() }
}

export interface ClosedLoopResult {
  readonly elapsedMs: number
  readonly statuses: Map<number, number>
  readonly errors: number
  readonly firstError: string | undefined
}

/** Sends every request, `concurrency` at a time; resolves when all are answered. */
export async function closedLoop(client: Client, requests: ReadonlyArray<Prepared>, concurrency: number): Promise<ClosedLoopResult> {
  const statuses = new Map<number, number>()
  let errors = 0
  let firstError: string | undefined
  let next = 0
  const start = performance.now()
  const worker = async () => {
    while (next < requests.length) {
      const req = requests[next++]!
      try {
        const answer = await client.post(req)
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
        if (answer.status !== 200 && firstError === undefined) firstError = `${answer.status} ${answer.body.slice(0, 200)}`
      } catch (error) {
        errors++
        firstError ??= String(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker))
  return { elapsedMs: performance.now() - start, statuses, errors, firstError }
}

export interface OpenLoopResult {
  /** Scheduled send → answer, ms, one per answered request. */
  readonly latencies: Array<number>
  /** How late each request left the client against its schedule, ms (the client's own lag). */
  readonly sendLag: Array<number>
  /** Actual send → answer, ms (the client's lag left out). */
  readonly fromSend: Array<number>
  readonly statuses: Map<number, number>
  readonly errors: number
  readonly firstError: string | undefined
  readonly elapsedMs: number
}

/**
 * Open loop: request i is due at start + i × intervalMs and is sent then, answered or not.
 * Latency counts from the due time, so a stall on either side is not hidden (no coordinated
 * omission). Between sends it waits with setTimeout (≈1 ms ticks: every due request goes out
 * on the next tick, the lag is reported) or, with `spin`, with setImmediate (tighter, but it
 * keeps a core busy — on a 2-core machine that core is taken from the server).
 */
export async function openLoop(client: Client, requests: ReadonlyArray<Prepared>, intervalMs: number, deadlineMs: number, spin = process.env.BENCH_SPIN === "1"): Promise<OpenLoopResult> {
  const latencies: Array<number> = []
  const sendLag: Array<number> = []
  const fromSend: Array<number> = []
  const statuses = new Map<number, number>()
  let errors = 0
  let firstError: string | undefined
  const inFlight: Array<Promise<void>> = []
  const start = performance.now()
  let i = 0
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now()
      if (now - start > deadlineMs) return resolve() // bound in time, whatever happens
      while (i < requests.length && start + i * intervalMs <= now) {
        const due = start + i * intervalMs
        const req = requests[i++]!
        sendLag.push(now - due)
        inFlight.push(client.post(req).then(
          (answer) => {
            const answered = performance.now()
            latencies.push(answered - due)
            fromSend.push(answered - now)
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
            if (answer.status !== 200 && firstError === undefined) firstError = `${answer.status} ${answer.body.slice(0, 200)}`
          },
          (error) => {
            errors++
            firstError ??= String(error)
          }
        ))
      }
      if (i >= requests.length) return resolve()
      if (spin) setImmediate(tick)
      else setTimeout(tick, Math.max(0, start + i * intervalMs - performance.now() - 0.5))
    }
    tick()
  })
  await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 60_000))])
  return { latencies, sendLag, fromSend, statuses, errors, firstError, elapsedMs: performance.now() - start }
}

/** What a bench part writes: log lines, rows of the figures table, and verdicts against its targets. */
export interface Reporter {
  readonly log: (line: string) => void
  readonly row: (label: string, value: string) => void
  readonly verdict: (ok: boolean, what: string) => void
}

/** The gzipped size of what `url` answers (NaN when it is not sent gzipped). */
export const gzippedSize = (url: string) => new Promise<number>((resolve, reject) => {
  http.get(url, { headers: { "accept-encoding": "gzip" } }, (res) => {
    let bytes = 0
    res.on("data", (chunk: Buffer) => (bytes += chunk.length))
    res.on("end", () => resolve(res.headers["content-encoding"] === "gzip" ? bytes : Number.NaN))
  }).on("error", reject)
})

/** Nearest-rank percentile of unsorted values (0 < p ≤ 100). */
export function percentile(values: ReadonlyArray<number>, p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]!
}

export const median = (values: ReadonlyArray<number>) => percentile(values, 50)

export const formatStatuses = (statuses: Map<number, number>) =>
  [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(" ")
