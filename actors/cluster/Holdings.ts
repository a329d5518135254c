/**
 * The leases this instance holds, in memory, and the stream of their changes. Every change of
 * the map and its event happen in one synchronous step, so `changes` can start with a snapshot
 * of the holdings and continue with later events, with no gap and no duplicate.
 */
import { Effect, PubSub, Stream } from "effect"
import { partitionOfKey } from "./plan.ts"

export type LeaseChange =
  | { readonly _tag: "Acquired"; readonly partition: number; readonly token: number }
  | { readonly _tag: "Lost"; readonly partition: number }
  | { readonly _tag: "LeaderAcquired"; readonly token: number }
  | { readonly _tag: "LeaderLost" }

/** One lease held: mutable bookkeeping owned by the PartitionLeases fibers. */
export interface Held {
  readonly key: string
  /** Fencing token: the KV revision of the write that created the lease. */
  readonly token: number
  /** The KV revision of our last write to the key; the next renewal must find it there. */
  revision: number
  /** Until when (monotonic clock, ms) the lease counts as ours. */
  deadline: number
  renewing: boolean
  releasing: boolean
}

interface Sequenced {
  readonly seq: number
  /** Undefined marks the end: the holdings are closed. */
  readonly change: LeaseChange | undefined
}

function acquiredChange(key: string, token: number): LeaseChange {
  const partition = partitionOfKey(key)
  return partition === undefined ? { _tag: "LeaderAcquired", token } : { _tag: "Acquired", partition, token }
}

function lostChange(key: string): LeaseChange {
  const partition = partitionOfKey(key)
  return partition === undefined ? { _tag: "LeaderLost" } : { _tag: "Lost", partition }
}

export const makeHoldings = (now: () => number) =>
  Effect.gen(function*() {
    const pubsub = yield* PubSub.unbounded<Sequenced>()
    const held = new Map<string, Held>()
    let seq = 0

    const emit = (change: LeaseChange | undefined) => void PubSub.publishUnsafe(pubsub, { seq: ++seq, change })

    function gain(key: string, token: number, deadline: number): Held {
      const lease: Held = { key, token, revision: token, deadline, renewing: false, releasing: false }
      held.set(key, lease)
      emit(acquiredChange(key, token))
      return lease
    }

    /** Forgets `lease` and reports it lost; false if it was no longer held. */
    function drop(lease: Held): boolean {
      if (held.get(lease.key) !== lease) return false
      held.delete(lease.key)
      emit(lostChange(lease.key))
      return true
    }

    /** The lease under `key` while it still counts as ours (its deadline not passed). */
    function current(key: string): Held | undefined {
      const lease = held.get(key)
      return lease !== undefined && lease.deadline > now() ? lease : undefined
    }

    function owned(): ReadonlySet<number> {
      const partitions = new Set<number>()
      for (const lease of held.values()) {
        const partition = partitionOfKey(lease.key)
        if (partition !== undefined && lease.deadline > now()) partitions.add(partition)
      }
      return partitions
    }

    function nextDeadline(): number | undefined {
      let next: number | undefined
      for (const lease of held.values()) if (next === undefined || lease.deadline < next) next = lease.deadline
      return next
    }

    const changes: Stream.Stream<LeaseChange> = Stream.unwrap(Effect.gen(function*() {
      const subscription = yield* PubSub.subscribe(pubsub)
      // Read together with the subscription, before any later change can run.
      const from = seq
      const snapshot = [...held.values()].map((lease) => acquiredChange(lease.key, lease.token))
      const later = Stream.fromSubscription(subscription).pipe(
        Stream.takeWhile((event) => event.change !== undefined),
        Stream.filter((event) => event.seq > from),
        Stream.map((event) => event.change!)
      )
      return Stream.concat(Stream.fromIterable(snapshot), later)
    }))

    /** Ends every `changes` stream after the events published so far. */
    const close = Effect.sync(() => void PubSub.endUnsafe(pubsub, { seq: ++seq, change: undefined }))

    return {
      gain,
      drop,
      current,
      owned,
      nextDeadline,
      get: (key: string) => held.get(key),
      all: (): ReadonlyArray<Held> => [...held.values()],
      changes,
      close
    }
  })

export type Holdings = Effect.Success<ReturnType<typeof makeHoldings>>
