/**
 * A Graph API stand-in for the outbound benchmark that time-stamps every send. It is
 * test/msw/graph-messages.ts's `createFakeGraph` (the same checks of Meta's rules, the same
 * answers, `latencyMs` before each) behind a real node:http server on 127.0.0.1, like
 * test/support/graph-stand-in.ts, minus the status webhooks (which the bench does not want).
 *
 * Two moments per message, both `performance.now()` of this process:
 *  - `arrivedAt`: the request is fully read, before the stand-in's latency — when Meta has it,
 *    and what Meta's per-number limit counts;
 *  - `acceptedAt`: createFakeGraph's `onSent` (after the latency and the checks) — just before the answer goes back.
 * Messages are matched by a marker `[b:<n>]` in their text (`marker`); arrivals without one are counted in `unmarked`.
 *
 * `startTimedGraphChild` runs it in a child process of its own (./graph-timed-child.ts), so its
 * time stamps do not wait on the load generator's event loop; its times come back as epoch
 * milliseconds (performance.timeOrigin + performance.now()), comparable across processes.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { createFakeGraph } from "../msw/graph-messages.ts"

export const marker = (n: number) => `[b:${n}]`
const MARKER = /\[b:(\d+)\]/

export interface TimedGraph {
  /** GRAPH_API_URL. */
  readonly url: string
  /** Index = marker; NaN until it arrives (first arrival kept). */
  readonly arrivedAt: Float64Array
  readonly acceptedAt: Float64Array
  /** Every marked arrival in order of arrival: time, for the sliding-window count. */
  readonly arrivals: Array<number>
  /** Distinct markers arrived so far. */
  readonly distinct: () => number
  /** Markers that arrived more than once. */
  readonly duplicates: () => number
  readonly unmarked: () => number
  /** Answers other than 200 (e.g. Meta-rule violations: see `problems`). */
  readonly refused: () => number
  readonly problems: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

export async function startTimedGraph(o: { accessToken: string; latencyMs: number; capacity: number }): Promise<TimedGraph> {
  const arrivedAt = new Float64Array(o.capacity).fill(Number.NaN)
  const acceptedAt = new Float64Array(o.capacity).fill(Number.NaN)
  const arrivals: Array<number> = []
  let duplicates = 0
  let distinct = 0
  let unmarked = 0
  let refused = 0
  const fake = createFakeGraph({
    accessToken: o.accessToken,
    latencyMs: o.latencyMs,
    onSent: (record) => {
      const text = (record.body.text as { body?: unknown } | undefined)?.body
      const m = typeof text === "string" ? MARKER.exec(text) : null
      const n = m === null ? -1 : Number(m[1])
      if (n >= 0 && n < o.capacity && Number.isNaN(acceptedAt[n]!)) acceptedAt[n] = performance.now()
    }
  })

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const chunks: Array<Buffer> = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const body = Buffer.concat(chunks)
      const now = performance.now()
      const m = MARKER.exec(body.toString("latin1"))
      const n = m === null ? -1 : Number(m[1])
      if (n < 0 || n >= o.capacity) unmarked++
      else {
        arrivals.push(now)
        if (Number.isNaN(arrivedAt[n]!)) {
          arrivedAt[n] = now
          distinct++
        } else duplicates++
      }
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value)
      }
      const response = await fake.handle(new Request(`http://127.0.0.1${req.url ?? "/"}`, {
        method: req.method ?? "GET",
        headers,
        ...(body.length === 0 || req.method === "GET" ? {} : { body })
      }))
      if (response.status !== 200) refused++
      const bytes = Buffer.from(await response.arrayBuffer())
      if (res.destroyed) return
      res.writeHead(response.status, { "content-type": response.headers.get("content-type") ?? "application/json", "content-length": bytes.length })
      res.end(bytes)
    } catch {
      refused++
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end("stand-in failed")
      else res.destroy()
    }
  }
  const server = createServer((req, res) => void serve(req, res))
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v23.0`,
    arrivedAt,
    acceptedAt,
    arrivals,
    distinct: () => distinct,
    duplicates: () => duplicates,
    unmarked: () => unmarked,
    refused: () => refused,
    problems: fake.problems,
    close: () =>
      new Promise<void>((resolve) => {
        fake.release()
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/** The most values of sorted `times` (ms) in any half-open window [t, t + windowMs). */
export function busiestWindow(times: ReadonlyArray<number>, windowMs = 1000): { count: number; startsAt: number } {
  let best = 0
  let startsAt = Number.NaN
  let j = 0
  for (let i = 0; i < times.length; i++) {
    // window [times[j], times[j] + windowMs) ending with times[i]
    while (times[i]! - times[j]! >= windowMs) j++
    if (i - j + 1 > best) {
      best = i - j + 1
      startsAt = times[j]!
    }
  }
  return { count: best, startsAt }
}

/** What the child reports at the end; times in epoch ms (NaN = never). */
export interface TimedGraphReport {
  readonly arrivedAt: Array<number>
  readonly acceptedAt: Array<number>
  readonly arrivals: Array<number>
  readonly duplicates: number
  readonly unmarked: number
  readonly refused: number
  readonly problems: Array<string>
}

export interface TimedGraphChild {
  readonly url: string
  readonly pid: number
  /** Distinct markers arrived so far. */
  readonly distinct: () => Promise<number>
  readonly report: () => Promise<TimedGraphReport>
  readonly close: () => Promise<void>
}

/** Epoch milliseconds of this process's performance.now() value `t`. */
export const epoch = (t: number) => performance.timeOrigin + t

export async function startTimedGraphChild(o: { accessToken: string; latencyMs: number; capacity: number }): Promise<TimedGraphChild> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "test/bench/graph-timed-child.ts"], {
    cwd: new URL("../../", import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ACCESS_TOKEN: o.accessToken, LATENCY_MS: String(o.latencyMs), CAPACITY: String(o.capacity) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced"
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const waiting = new Map<number, (value: any) => void>()
  let nextId = 0
  // The child says where it listens once it does (message id -1).
  const ready = new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 20_000)
    waiting.set(-1, (value) => {
      clearTimeout(timer)
      resolve(value as string | undefined)
    })
  })
  child.on("message", (m: any) => {
    const resolve = waiting.get(m.id)
    waiting.delete(m.id)
    resolve?.(m.value)
  })
  const ask = <A>(what: string, timeoutMs = 30_000): Promise<A> =>
    new Promise<A>((resolve, reject) => {
      const id = nextId++
      const timer = setTimeout(() => {
        waiting.delete(id)
        reject(new Error(`stand-in child did not answer ${what} in ${timeoutMs} ms`))
      }, timeoutMs)
      waiting.set(id, (value) => {
        clearTimeout(timer)
        resolve(value as A)
      })
      child.send({ id, what })
    })
  child.once("exit", () => {
    for (const resolve of waiting.values()) resolve(undefined)
  })
  const url = await ready
  if (typeof url !== "string") {
    child.kill("SIGKILL")
    throw new Error("the stand-in child did not start in 20 s")
  }
  return {
    url,
    pid: child.pid!,
    distinct: () => ask<number>("distinct"),
    report: () => ask<TimedGraphReport>("report"),
    close: async () => {
      child.kill("SIGKILL")
      await exited
    }
  }
}
