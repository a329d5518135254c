/**
 * Part 6's baseline: nats.js publishing straight to JetStream, each publish awaited until the
 * stream acknowledged it, `concurrency` in flight (as the load generator keeps webhooks in
 * flight). A stream of its own in a fresh namespace, set up like the gateway's event stream
 * (actors/cluster/Nats.ts: work queue, file storage, one replica, two-minute dedupe window), one
 * subject per partition, payloads of the gateway's event size and a unique `msgID` each.
 */
import { connect, nanos, RetentionPolicy, StorageType } from "nats"
import { natsNamespace, purgeNatsNamespace } from "../support/services.ts"

export interface RawPublishOptions {
  readonly natsUrl: string
  readonly payloadBytes: number
  /** Length of each Nats-Msg-Id (the gateway's are the event keys, `whatsapp:msg:wamid.…`). */
  readonly msgIdLength: number
  readonly partitions: number
  readonly concurrency: number
  readonly warmup: number
  readonly messages: number
}

export interface RawPublishFigures {
  readonly rate: number
  readonly elapsedMs: number
  readonly errors: number
  readonly duplicates: number
  readonly firstError: string | undefined
}

/** Warms up, then publishes `messages` messages closed-loop; the namespace is purged afterwards. */
export async function rawJetStreamPublish(options: RawPublishOptions): Promise<RawPublishFigures> {
  const ns = natsNamespace()
  const nc = await connect({ servers: options.natsUrl, name: "loket-bench-raw" })
  try {
    const jsm = await nc.jetstreamManager()
    await jsm.streams.add({
      name: `${ns}_events`, subjects: [`${ns}.events.>`], retention: RetentionPolicy.Workqueue,
      storage: StorageType.File, num_replicas: 1, duplicate_window: nanos(120_000)
    })
    const js = nc.jetstream()
    const payload = Buffer.alloc(options.payloadBytes, "x")
    const msgId = (i: number) => `raw:${String(i).padStart(Math.max(1, options.msgIdLength - 4), "0")}`
    let next = 0
    const publishAll = async (count: number) => {
      const end = next + count
      let errors = 0
      let duplicates = 0
      let firstError: string | undefined
      const worker = async () => {
        while (next < end) {
          const i = next++
          try {
            const ack = await js.publish(`${ns}.events.${i % options.partitions}`, payload, { msgID: msgId(i) })
            if (ack.duplicate) duplicates++
          } catch (error) {
            errors++
            firstError ??= String(error)
          }
        }
      }
      const start = performance.now()
      await Promise.all(Array.from({ length: options.concurrency }, worker))
      return { elapsedMs: performance.now() - start, errors, duplicates, firstError }
    }
    await publishAll(options.warmup)
    const measured = await publishAll(options.messages)
    return { rate: options.messages / (measured.elapsedMs / 1000), ...measured }
  } finally {
    await nc.close()
    await purgeNatsNamespace(options.natsUrl, ns)
  }
}
