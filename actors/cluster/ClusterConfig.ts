/**
 * Cluster mode's placement settings, read from the environment when NATS_URL is set. Like the
 * gateway's configuration, a bad value stops the start with one line naming the variable.
 */
import { hostname } from "node:os"
import { randomBytes } from "node:crypto"
import { Config as C, ConfigProvider, Effect, Option, Schema } from "effect"
import { ConfigInvalid, oneLine } from "../../gateway/Config.ts"

/** A NATS KV key (the instance id) or bucket name part: letters, digits, `_`, `-`; ids may also have inner dots. */
const BUCKET_PART = /^[A-Za-z0-9_-]+$/
const KEY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/

/** `<hostname>-<random>`: unique per start, so a restarted instance never meets its former self's heartbeat. */
export function defaultInstanceId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "loket"
  return `${host}-${randomBytes(4).toString("hex")}`
}

const integer = (name: string, minimum: number, maximum: number, fallback: number) =>
  C.schema(Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum, maximum })), name).pipe(C.withDefault(fallback))

export const ClusterConfigSchema = C.all({
  /** Prefix of the KV buckets, so several Loket clusters can share one NATS. */
  namespace: C.schema(Schema.String.check(Schema.isPattern(BUCKET_PART, { message: "letters, digits, _ and - only" })), "LOKET_NATS_NAMESPACE")
    .pipe(C.withDefault("loket")),
  /** Fixed for the life of the cluster: conversations are placed by hash mod this. */
  partitions: integer("LOKET_PARTITIONS", 1, 4096, 64),
  /** Replicas of the KV buckets (1 for a single NATS server, 3 for a three-node cluster). */
  replicas: integer("LOKET_NATS_REPLICAS", 1, 5, 1),
  instanceId: C.option(
    C.schema(Schema.String.check(Schema.isPattern(KEY, { message: "letters, digits, _, - and inner dots only" })), "LOKET_INSTANCE_ID")
  ).pipe(C.map(Option.getOrElse(defaultInstanceId)))
})

export type ClusterConfigValue = C.Success<typeof ClusterConfigSchema>

/** Reads the process environment (or the given one, for tests). */
export const readClusterConfig = (env: Record<string, string | undefined> = process.env) =>
  ClusterConfigSchema.parse(ConfigProvider.fromEnv({ env: env as Record<string, string> })).pipe(
    Effect.mapError((error) => new ConfigInvalid({ message: `Invalid configuration: ${oneLine(error)}` }))
  )
