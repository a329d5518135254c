/**
 * Checkpoints SQLite's write-ahead log off the event loop. SQLite's automatic checkpoint runs inside
 * the COMMIT of whichever write crosses 1,000 pages: on Loket's one event loop, copying the log into
 * the database file and fsyncing it while every webhook and API request waits (the ingest profile
 * put the transaction-control statements at 16 % of the event loop's time). Loket's connection turns
 * it off (`wal_autocheckpoint = 0`); this worker thread, with a connection of its own to the same
 * file, runs a PASSIVE checkpoint whenever asked (sqlite.ts asks every CHECKPOINT_EVERY, timed by
 * Effect's Clock). PASSIVE never waits for the writer and never blocks it; once a checkpoint has
 * copied the whole log, the next write starts it again from the beginning, so the log stays about a
 * second of writes long. What is durable is unchanged: commits are made durable by the log's fsync
 * (GroupCommit), never by a checkpoint.
 */
import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"

/** The worker: CommonJS, handed better-sqlite3's resolved path (an eval'd worker resolves nothing itself). */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads")
const Database = require(workerData.module)
const db = new Database(workerData.path)
db.pragma("busy_timeout = 5000")
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close()
    parentPort.postMessage({ closed: true })
    return
  }
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)")
    parentPort.postMessage({ ok: true, log: result.log, checkpointed: result.checkpointed })
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error && error.message) })
  }
})
`

export interface CheckpointResult {
  /** Frames in the log, and how many of them are now in the database file. */
  readonly log: number
  readonly checkpointed: number
}

export interface WalCheckpointer {
  /** One PASSIVE checkpoint on the worker's connection; rejects with SQLite's reason. */
  readonly checkpoint: () => Promise<CheckpointResult>
  /** Closes the worker's connection and ends the thread. */
  readonly close: () => Promise<void>
}

export function startWalCheckpointer(path: string): WalCheckpointer {
  const module = createRequire(import.meta.url).resolve("better-sqlite3")
  const worker = new Worker(WORKER, { eval: true, workerData: { path, module } })
  worker.unref()
  // One question at a time: answers come back in order.
  const waiting: Array<{ resolve: (value: never) => void; reject: (error: Error) => void }> = []
  worker.on("message", (answer: { ok?: boolean; closed?: boolean; error?: string; log?: number; checkpointed?: number }) => {
    const next = waiting.shift()
    if (next === undefined) return
    if (answer.ok === false) next.reject(new Error(`WAL checkpoint failed: ${answer.error}`))
    else next.resolve((answer.closed ? undefined : { log: answer.log!, checkpointed: answer.checkpointed! }) as never)
  })
  worker.on("error", (error) => {
    for (const w of waiting.splice(0)) w.reject(error)
  })
  const ask = <A>(message: string) => new Promise<A>((resolve, reject) => {
    waiting.push({ resolve: resolve as (value: never) => void, reject })
    worker.postMessage(message)
  })
  return {
    checkpoint: () => ask<CheckpointResult>("checkpoint"),
    close: () => ask<void>("close").then(() => worker.terminate()).then(() => undefined)
  }
}
