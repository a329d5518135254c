/**
 * The durable floor's writer in a worker thread (FLOOR_WRITER=worker, ./durable-floor.ts): each message
 * from the HTTP thread is `{ id, messages }`; the answer `id` goes back once their commit is flushed.
 * What a Loket whose SQLite writer runs off the HTTP thread would have at the least: the same work, one
 * hop between threads each way.
 */
import { parentPort, workerData } from "node:worker_threads"
import { type Incoming, makeFloorStore } from "./durable-floor-store.ts"

const { path, full, extraUs } = workerData as { path: string; full: boolean; extraUs: number }
const { store } = makeFloorStore(path, full, extraUs)
parentPort!.on("message", ({ id, messages }: { id: number; messages: ReadonlyArray<Incoming> }) => {
  void store(messages).then(() => parentPort!.postMessage(id))
})
parentPort!.postMessage(-1) // ready
