/**
 * Cluster mode's placement: P partitions (conversation key → `partitionOf`), each leased to one
 * live instance in the JetStream KV bucket `${ns}_leases`, plus one cluster-wide `leader` lease
 * (outbox dispatch, rate limits, timers: once per cluster). A lease is a key written with
 * `create` (only if free) and renewed with revision-checked `update`s every TTL/3; the bucket
 * TTL removes a key nobody renewed. The creating write's revision is the lease's fencing token.
 *
 * Self-fencing: a holder counts a lease as its own only until (start of its last successful
 * renewal) + TTL − margin on its monotonic clock, and reports `Lost` then at the latest. NATS
 * stamped that write after we sent it, so it expires — and another instance can `create` the
 * key — no earlier than TTL after that start: the holder stops first, as long as clocks run at
 * about the same rate (the margin, TTL/5, is the bound). Details and failure modes: README.md,
 * "Cluster mode: placement".
 *
 * Balancing: live instances are the keys of `${ns}_instances` (heartbeats, same TTL). Each takes
 * free partitions up to its fair share ceil(P / live), and releases what is above it — after the
 * registered drains (`onBeforeRelease`) finish — so a new instance gets partitions within a few
 * seconds and a dead one's are taken over once its leases lapse.
 */
import { Context, Effect, Exit, Layer, Option, Scope, Stream } from "effect"
import type { NatsConnection } from "nats"
import { type Held, type LeaseChange, makeHoldings } from "./Holdings.ts"
import { bindBucket, type ClusterSetupFailed, openBuckets } from "./ClusterBuckets.ts"
import {
  createKey,
  deleteKey,
  type LeaseStoreUnavailable,
  listKeys,
  putKey,
  readEntry,
  removeKey,
  type StoredEntry,
  updateKey
} from "./LeaseKv.ts"
import { decodeLease, encodeInstance, encodeLease } from "./LeaseValue.ts"
import type { PartitionCountMismatch } from "./PartitionCount.ts"
import { LEADER_KEY, leaseTiming, partitionKey, partitionOfKey, planRound, preferenceOrder } from "./plan.ts"

export { ClusterSetupFailed } from "./ClusterBuckets.ts"
export type { LeaseChange } from "./Holdings.ts"
export { LeaseStoreUnavailable } from "./LeaseKv.ts"
export { PartitionCountMismatch } from "./PartitionCount.ts"

export const DEFAULT_LEASE_TTL_MS = 5000

export interface PartitionLeasesOptions {
  readonly nc: NatsConnection
  /** Prefix of the KV buckets (`LOKET_NATS_NAMESPACE`). */
  readonly namespace: string
  /** Unique among live instances (`LOKET_INSTANCE_ID`). */
  readonly instanceId: string
  /** Fixed for the life of the cluster (`LOKET_PARTITIONS`). */
  readonly partitions: number
  /** Replicas of the KV buckets when they are created (`LOKET_NATS_REPLICAS`). */
  readonly replicas: number
  /** Lease TTL for a new bucket; an existing bucket's own TTL wins. Default 5 s. */
  readonly ttlMs?: number
}

export class PartitionLeases extends Context.Service<PartitionLeases, {
  readonly instanceId: string
  readonly partitions: number
  /** Partitions this instance owns now (their deadline not passed). */
  owned(): ReadonlySet<number>
  /** Whether this instance holds the cluster-wide `leader` lease now. */
  isLeader(): boolean
  /** The fencing token of an owned partition's lease, to pass along with writes it guards. */
  tokenOf(partition: number): number | undefined
  /**
   * Starts with an `Acquired` (and `LeaderAcquired`) for every lease held when the stream is
   * run, then every change as it happens; ends after the final `Lost`s when the layer closes.
   */
  readonly changes: Stream.Stream<LeaseChange>
  /** The instance holding `partition`'s lease, as NATS has it now (to forward commands to). */
  ownerOf(partition: number): Effect.Effect<string | undefined, LeaseStoreUnavailable>
  /**
   * Registers `drain` for the scope's life: before a partition is released to another instance
   * (rebalancing), every registered drain runs and is awaited; the lease is renewed meanwhile.
   * Not run at shutdown: layers built on this one have closed by then.
   */
  onBeforeRelease(drain: (partition: number) => Effect.Effect<void>): Effect.Effect<void, never, Scope.Scope>
}>()("loket/actors/cluster/PartitionLeases") {
  static layer(options: PartitionLeasesOptions): Layer.Layer<PartitionLeases, ClusterSetupFailed | PartitionCountMismatch> {
    return Layer.effect(PartitionLeases, makePartitionLeases(options))
  }
}

const now = () => performance.now()

const makePartitionLeases = Effect.fn("PartitionLeases.make")(function*(options: PartitionLeasesOptions) {
  const { instanceId, partitions, namespace: ns } = options
  const timing = leaseTiming(yield* openBuckets({ ...options, ttlMs: options.ttlMs ?? DEFAULT_LEASE_TTL_MS }))
  // Day-to-day operations give up after one renew period: a hung request must not hold up the next.
  const js = options.nc.jetstream({ timeout: Math.max(250, timing.renewEveryMs) })
  const leasesKv = yield* bindBucket(js, `${ns}_leases`)
  const instancesKv = yield* bindBucket(js, `${ns}_instances`)
  const holdings = yield* makeHoldings(now)
  const preference = preferenceOrder(instanceId, partitions)
  const drains = new Set<(partition: number) => Effect.Effect<void>>()
  const heartbeat = encodeInstance({ id: instanceId, startedAt: new Date().toISOString() })
  const deadlineAfter = (sentAt: number) => sentAt + timing.ttlMs - timing.marginMs
  const leaseValue = (token: number) => encodeLease({ owner: instanceId, epoch: token })
  const scope = yield* Effect.scope
  /** The loops and renewals: closed first at shutdown, before the leases are given back. */
  const work = yield* Scope.fork(scope, "sequential")
  let storeDown = false

  /** Whether `entry` is a write of ours to the lease with `token` (e.g. a renewal whose answer was lost). */
  const isOurs = (entry: StoredEntry | undefined, token: number) =>
    entry !== undefined &&
    Option.match(decodeLease(entry.value), { onNone: () => false, onSome: (v) => v.owner === instanceId && v.epoch === token })

  /** Deletes a lease key only while it still holds our write: never someone else's lease. */
  const giveBack = Effect.fn("PartitionLeases.giveBack")(function*(key: string, revision: number, token: number) {
    if ((yield* deleteKey(leasesKv, key, revision)) !== "conflict") return
    const entry = yield* readEntry(leasesKv, key)
    if (entry !== undefined && isOurs(entry, token)) yield* deleteKey(leasesKv, key, entry.revision)
  }, Effect.catch((e) => Effect.logDebug(`giving back a lease: ${e.message}`)))

  /** Reports leases past their deadline lost: from then on they are not ours, whatever NATS answers later. */
  const lapse = (leases: ReadonlyArray<Held>) => {
    const lapsed = leases.filter((lease) => lease.deadline <= now() && holdings.drop(lease))
    return lapsed.length === 0
      ? Effect.void
      : Effect.logWarning(`leases lapsed without renewal, reported lost: ${lapsed.map((lease) => lease.key).join(", ")}`)
  }

  const renew = Effect.fn("PartitionLeases.renew")(function*(lease: Held) {
    const sentAt = now()
    const written = yield* updateKey(leasesKv, lease.key, leaseValue(lease.token), lease.revision)
    // The answer came after the deadline (and before the fence woke): `owned()` already said no.
    yield* lapse([lease])
    if (holdings.get(lease.key) !== lease) {
      // Lost (deadline) or released while the renewal was under way: do not keep the key alive.
      if (written !== "conflict") yield* giveBack(lease.key, written, lease.token)
      return
    }
    if (written !== "conflict") {
      lease.revision = written
      lease.deadline = Math.max(lease.deadline, deadlineAfter(sentAt))
      return
    }
    // Revision check failed: an earlier renewal of ours landed after all (adopt its revision,
    // without extending the deadline), or someone else wrote the key: then it is not ours.
    const entry = yield* readEntry(leasesKv, lease.key)
    if (holdings.get(lease.key) !== lease) return
    if (isOurs(entry, lease.token)) {
      lease.revision = entry!.revision
      return
    }
    holdings.drop(lease)
    // The new value only by what it decodes to: a write that is not a lease is not repeated in the log.
    const found = entry === undefined
      ? "gone"
      : Option.match(decodeLease(entry.value), { onNone: () => "not a lease value, refused", onSome: (v) => `held by ${v.owner}, epoch ${v.epoch}` })
    yield* Effect.logWarning(`lease ${lease.key} was overwritten (now: ${found}); reported lost`)
  }, Effect.catch((e) => Effect.logDebug(`renewal failed (the deadline fences): ${e.message}`)))

  let heartbeatInFlight = false
  const renewAll = Effect.gen(function*() {
    if (!heartbeatInFlight) {
      heartbeatInFlight = true
      yield* putKey(instancesKv, instanceId, heartbeat).pipe(
        Effect.catch((e) => Effect.logDebug(`heartbeat failed: ${e.message}`)),
        Effect.ensuring(Effect.sync(() => void (heartbeatInFlight = false))),
        Effect.forkIn(work)
      )
    }
    for (const lease of holdings.all()) {
      if (lease.renewing) continue
      lease.renewing = true
      yield* renew(lease).pipe(Effect.ensuring(Effect.sync(() => void (lease.renewing = false))), Effect.forkIn(work))
    }
  })

  /** Reports every lease past its deadline lost, then sleeps until the next deadline. */
  const fence = Effect.suspend(() => {
    const report = lapse(holdings.all())
    const next = holdings.nextDeadline()
    const wait = next === undefined ? timing.renewEveryMs : Math.min(timing.renewEveryMs, Math.max(1, next - now()))
    return report.pipe(Effect.andThen(Effect.sleep(wait)))
  })

  const acquire = Effect.fn("PartitionLeases.acquire")(function*(key: string) {
    const sentAt = now()
    const token = yield* createKey(leasesKv, key, leaseValue(0))
    if (token === "conflict") return
    if (now() >= deadlineAfter(sentAt)) return yield* giveBack(key, token, 0)
    holdings.gain(key, token, deadlineAfter(sentAt))
  }, Effect.catch((e) => Effect.logDebug(`acquiring a lease failed: ${e.message}`)))

  const release = Effect.fn("PartitionLeases.release")(function*(lease: Held) {
    lease.releasing = true
    const partition = partitionOfKey(lease.key)!
    yield* Effect.forEach(drains, (drain) =>
      drain(partition).pipe(Effect.catchCause((cause) => Effect.logWarning(`draining partition ${partition} failed`, cause))), {
      concurrency: "unbounded",
      discard: true
    })
    // Lost meanwhile (deadline, overwrite): already reported, nothing to give back.
    if (!holdings.drop(lease)) return
    yield* giveBack(lease.key, lease.revision, lease.token)
  })

  const round = Effect.fn("PartitionLeases.round")(function*() {
    const live = yield* listKeys(instancesKv, timing.renewEveryMs)
    const takenKeys = yield* listKeys(leasesKv, timing.renewEveryMs)
    if (storeDown) yield* Effect.logInfo("NATS KV answers again: balancing resumes")
    storeDown = false
    const held = new Set<number>()
    const releasing = new Set<number>()
    for (const lease of holdings.all()) {
      const partition = partitionOfKey(lease.key)
      if (partition === undefined) continue
      held.add(partition)
      if (lease.releasing) releasing.add(partition)
    }
    const taken = new Set<number>()
    for (const key of takenKeys) {
      const partition = partitionOfKey(key)
      if (partition !== undefined) taken.add(partition)
    }
    const plan = planRound({
      partitions,
      live: live.size + (live.has(instanceId) ? 0 : 1),
      preference,
      held,
      releasing,
      taken
    })
    for (const partition of plan.release) {
      const lease = holdings.get(partitionKey(partition))
      if (lease !== undefined) yield* release(lease).pipe(Effect.forkIn(work))
    }
    yield* Effect.forEach(plan.acquire, (partition) => acquire(partitionKey(partition)), { concurrency: 16, discard: true })
    if (holdings.get(LEADER_KEY) === undefined && !takenKeys.has(LEADER_KEY)) yield* acquire(LEADER_KEY)
  }, Effect.catch((e) =>
    storeDown
      ? Effect.void
      : Effect.sync(() => void (storeDown = true)).pipe(Effect.andThen(Effect.logWarning(`NATS KV unavailable, balancing paused: ${e.message}`)))
  ))

  /** Graceful shutdown: every lease reported lost, then deleted, so others take over at once. */
  const shutdown = Effect.gen(function*() {
    yield* Scope.close(work, Exit.void)
    const held = holdings.all()
    for (const lease of held) holdings.drop(lease)
    yield* holdings.close
    yield* Effect.forEach(held, (lease) => giveBack(lease.key, lease.revision, lease.token), { concurrency: "unbounded", discard: true })
    yield* removeKey(instancesKv, instanceId).pipe(Effect.catch(() => Effect.void))
  }).pipe(Effect.timeout(timing.ttlMs), Effect.catch(() => Effect.void))
  yield* Effect.addFinalizer(() => shutdown)

  // Announce ourselves and take a first share before the layer is ready; then keep at it.
  yield* putKey(instancesKv, instanceId, heartbeat).pipe(Effect.catch(() => Effect.void))
  yield* round()
  yield* renewAll.pipe(Effect.andThen(Effect.sleep(timing.renewEveryMs)), Effect.forever, Effect.forkIn(work))
  yield* fence.pipe(Effect.forever, Effect.forkIn(work))
  yield* round().pipe(Effect.andThen(Effect.sleep(timing.renewEveryMs)), Effect.forever, Effect.forkIn(work))

  const ownerOf = Effect.fn("PartitionLeases.ownerOf")(function*(partition: number) {
    if (holdings.current(partitionKey(partition)) !== undefined) return instanceId
    const entry = yield* readEntry(leasesKv, partitionKey(partition))
    return entry === undefined ? undefined : Option.getOrUndefined(Option.map(decodeLease(entry.value), (v) => v.owner))
  })

  return PartitionLeases.of({
    instanceId,
    partitions,
    owned: holdings.owned,
    isLeader: () => holdings.current(LEADER_KEY) !== undefined,
    tokenOf: (partition) => holdings.current(partitionKey(partition))?.token,
    changes: holdings.changes,
    ownerOf,
    onBeforeRelease: (drain) =>
      Effect.acquireRelease(Effect.sync(() => void drains.add(drain)), () => Effect.sync(() => void drains.delete(drain)))
  })
})
