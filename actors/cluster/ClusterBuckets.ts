/**
 * The cluster's three KV buckets: `${ns}_cluster` (no TTL: the partition count), `${ns}_leases`
 * and `${ns}_instances` (bucket TTL = lease TTL). Opened (created if missing) at start with the
 * connection's default timeout — creating a replicated stream takes a while — and then bound
 * again through a JetStream client with a short timeout for day-to-day operations.
 */
import { Effect, Schema } from "effect"
import type { JetStreamClient, KV, NatsConnection } from "nats"
import { bucketTtl, openBucket } from "./LeaseKv.ts"
import { checkPartitionCount } from "./PartitionCount.ts"

export class ClusterSetupFailed extends Schema.TaggedError<ClusterSetupFailed>()("ClusterSetupFailed", {
  message: Schema.String
}) {}

export interface BucketSettings {
  readonly nc: NatsConnection
  readonly namespace: string
  readonly partitions: number
  readonly replicas: number
  readonly ttlMs: number
}

/** Opens the buckets and checks the partition count; answers the lease TTL the server applies. */
export const openBuckets = Effect.fn("PartitionLeases.openBuckets")(function*(options: BucketSettings) {
  const js = options.nc.jetstream()
  const ns = options.namespace
  const ttlMs = options.ttlMs
  const cluster = yield* openBucket(js, `${ns}_cluster`, { replicas: options.replicas })
  yield* checkPartitionCount(cluster, ns, options.partitions)
  const leases = yield* openBucket(js, `${ns}_leases`, { replicas: options.replicas, ttlMs })
  const instances = yield* openBucket(js, `${ns}_instances`, { replicas: options.replicas, ttlMs })
  // Fencing must use the TTL the server applies, not the one we asked for.
  const serverTtl = yield* bucketTtl(leases)
  if (serverTtl <= 0) {
    return yield* Effect.fail(new ClusterSetupFailed({ message: `KV bucket ${ns}_leases has no TTL: leases would never lapse; delete the bucket` }))
  }
  if (serverTtl !== ttlMs) yield* Effect.logWarning(`KV bucket ${ns}_leases keeps its TTL of ${serverTtl} ms (asked: ${ttlMs} ms)`)
  const heartbeatTtl = yield* bucketTtl(instances)
  if (heartbeatTtl !== serverTtl) {
    yield* Effect.logWarning(`KV bucket ${ns}_instances has a TTL of ${heartbeatTtl} ms, ${ns}_leases ${serverTtl} ms: dead instances count as live for longer`)
  }
  return serverTtl
}, Effect.catchTag("LeaseStoreUnavailable", (e) => Effect.fail(new ClusterSetupFailed({ message: `NATS: ${e.message}` }))))

/** Binds to an existing bucket through `js` (no request: the bucket was opened just before). */
export const bindBucket = (js: JetStreamClient, name: string): Effect.Effect<KV, ClusterSetupFailed> =>
  Effect.tryPromise({
    try: () => js.views.kv(name, { bindOnly: true }),
    catch: (cause) => new ClusterSetupFailed({ message: `NATS: binding KV bucket ${name}: ${String(cause)}` })
  })
