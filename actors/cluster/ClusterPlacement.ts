/** The partition leases of this instance, set up from the configuration (cluster mode). */
import { randomBytes } from "node:crypto"
import { hostname } from "node:os"
import { Effect, Layer } from "effect"
import { LoketConfig } from "../../config/Config.ts"
import { Nats } from "./Nats.ts"
import { PartitionLeases } from "./PartitionLeases.ts"

export const ClusterPlacement = Layer.unwrap(
  Effect.gen(function*() {
    const config = yield* LoketConfig
    const { nc } = yield* Nats
    return PartitionLeases.layer({
      nc,
      namespace: config.cluster.namespace,
      instanceId: config.cluster.instanceId ?? `${hostname()}-${randomBytes(4).toString("hex")}`,
      partitions: config.cluster.partitions,
      replicas: config.cluster.replicas,
      ttlMs: config.cluster.leaseMs
    })
  })
)
