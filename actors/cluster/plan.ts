/**
 * The pure part of placement: lease timing, key names, each instance's order of preference and
 * what one balancing round does (release surplus, acquire free partitions up to the fair share).
 */
import { fnv1a32 } from "./partitionOf.ts"

export interface LeaseTiming {
  /** Bucket TTL: a lease not renewed for this long disappears from NATS. */
  readonly ttlMs: number
  /** Renewals, heartbeats and balancing rounds: every TTL/3. */
  readonly renewEveryMs: number
  /**
   * A holder counts a lease as its own until (start of its last successful renewal) + TTL −
   * margin on its own monotonic clock; the margin absorbs clock rate drift, timer lateness and
   * NATS servers' clocks disagreeing.
   */
  readonly marginMs: number
}

export function leaseTiming(ttlMs: number): LeaseTiming {
  return { ttlMs, renewEveryMs: Math.floor(ttlMs / 3), marginMs: Math.ceil(ttlMs / 5) }
}

export const LEADER_KEY = "leader"

export const partitionKey = (partition: number): string => `p.${partition}`

/** The partition named by a lease key, or undefined (e.g. for `leader`). */
export function partitionOfKey(key: string): number | undefined {
  const match = /^p\.(\d+)$/.exec(key)
  return match === null ? undefined : Number(match[1])
}

/** Partitions per live instance, rounded up, so that the live instances together can hold them all. */
export const fairShare = (partitions: number, live: number): number => Math.ceil(partitions / Math.max(1, live))

/**
 * The order in which an instance tries partitions: from hash(instanceId) mod P upwards, wrapping,
 * so that instances starting together reach for different partitions first. Surplus is released
 * from the end of this order.
 */
export function preferenceOrder(instanceId: string, partitions: number): ReadonlyArray<number> {
  const start = fnv1a32(instanceId) % partitions
  return Array.from({ length: partitions }, (_, i) => (start + i) % partitions)
}

export interface RoundInput {
  readonly partitions: number
  /** Live instances, this one included. */
  readonly live: number
  readonly preference: ReadonlyArray<number>
  /** Partitions this instance holds, the ones being released included. */
  readonly held: ReadonlySet<number>
  /** Held partitions already on their way out (draining). */
  readonly releasing: ReadonlySet<number>
  /** Partitions whose lease key exists (held by anyone). */
  readonly taken: ReadonlySet<number>
}

export interface RoundPlan {
  readonly release: ReadonlyArray<number>
  readonly acquire: ReadonlyArray<number>
}

export function planRound(input: RoundInput): RoundPlan {
  const fair = fairShare(input.partitions, input.live)
  const keeping = input.preference.filter((p) => input.held.has(p) && !input.releasing.has(p))
  if (keeping.length > fair) return { release: keeping.slice(fair).reverse(), acquire: [] }
  if (input.held.size >= fair) return { release: [], acquire: [] }
  const free = input.preference.filter((p) => !input.held.has(p) && !input.taken.has(p))
  return { release: [], acquire: free.slice(0, fair - input.held.size) }
}
