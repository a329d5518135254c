/**
 * The partition count is fixed for the life of a cluster: conversations are placed by
 * hash mod P, so two counts would give one conversation two owners. The first instance writes
 * its count to `${ns}_cluster` (a bucket without TTL); every later one must start with the same.
 */
import { Effect, Schema } from "effect"
import type { KV } from "nats"
import { createKey, readEntry } from "./LeaseKv.ts"

export const PARTITIONS_KEY = "config.partitions"

export class PartitionCountMismatch extends Schema.TaggedError<PartitionCountMismatch>()("PartitionCountMismatch", {
  message: Schema.String
}) {}

export const checkPartitionCount = Effect.fn("PartitionLeases.checkPartitionCount")(function*(
  cluster: KV,
  namespace: string,
  partitions: number
) {
  // A few rounds: the key may be deleted between our create and our read.
  for (let round = 0; round < 3; round++) {
    const created = yield* createKey(cluster, PARTITIONS_KEY, String(partitions))
    if (created !== "conflict") return
    const entry = yield* readEntry(cluster, PARTITIONS_KEY)
    if (entry === undefined) continue
    if (entry.value === String(partitions)) return
    if (!/^[1-9][0-9]{0,3}$/.test(entry.value)) {
      return yield* Effect.fail(new PartitionCountMismatch({
        message: `the cluster in NATS namespace "${namespace}" holds something that is not a partition count under ${namespace}_cluster ${PARTITIONS_KEY}: ` +
          `delete that key (nats kv del ${namespace}_cluster ${PARTITIONS_KEY}) and start again`
      }))
    }
    return yield* Effect.fail(new PartitionCountMismatch({
      message: `LOKET_PARTITIONS=${partitions}, but the cluster in NATS namespace "${namespace}" has ${entry.value} partitions ` +
        `(${namespace}_cluster ${PARTITIONS_KEY}): start every instance with LOKET_PARTITIONS=${entry.value}`
    }))
  }
})
