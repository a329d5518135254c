/**
 * Embedded mode's transport: webhooks' events are written to the SQLite inbox in the
 * transaction that every write of this turn of the event loop shares (group commit,
 * GroupCommit.ts: a burst costs one commit and one fsync), then, once durable, handed to the
 * conversation actors in inbox order (on PostgreSQL one webhook at a time). At start, events
 * accepted before a crash but not yet handled are replayed.
 */
import { Effect, Layer, Queue, Schedule, Semaphore } from "effect"
import type { Channel } from "../domain/Channel.ts"
import type { ParsedWebhook } from "../domain/InboundEvent.ts"
import { Database, type DatabaseUnavailable } from "../drizzle/Database.ts"
import { LoketConfig } from "../config/Config.ts"
import { Conversations } from "./Conversations.ts"
import { type Envelope, makeInbox } from "./Inbox.ts"
import { type AcceptResult, IngestUnavailable, Transport } from "./Transport.ts"

/** Events routed to actors before the dispatcher lets the event loop turn. */
const DISPATCH_BATCH = 16
/** Events read back from the inbox at a time, once they spilled. */
const PAGE = 1024

export const InProcessTransport = Layer.effect(
  Transport,
  Effect.gen(function*() {
    const database = yield* Database
    const conversations = yield* Conversations
    const HANDOFF_CAP = (yield* LoketConfig).handoffCap
    const inbox = makeInbox(database)
    /** `null` is a bell: events spilled while the dispatcher waited; read them back. */
    const handoff = yield* Queue.unbounded<Envelope | null>()
    /**
     * Events wait for their actor in memory up to HANDOFF_CAP; past that they stay in the inbox
     * only and are read back in pages from `spilledFrom` on, so a burst costs no memory. At
     * start everything pending (accepted before the last stop, not handled) is read back so.
     */
    let spilledFrom: number | null = 0

    const handOver = (fresh: ReadonlyArray<Envelope>) => {
      if (fresh.length === 0) return
      if (spilledFrom === null && Queue.sizeUnsafe(handoff) + fresh.length <= HANDOFF_CAP) {
        Queue.offerAllUnsafe(handoff, fresh)
      } else if (spilledFrom === null) {
        spilledFrom = fresh[0]!.seq
        Queue.offerUnsafe(handoff, null)
      }
    }

    const pageSize = Math.min(PAGE, Math.max(1, HANDOFF_CAP))
    const nextEnvelope: Effect.Effect<Envelope> = Effect.suspend(() => {
      if (Queue.sizeUnsafe(handoff) === 0 && spilledFrom !== null) {
        return inbox.pending(spilledFrom, pageSize).pipe(
          Effect.matchEffect({
            onSuccess: (page) => {
              spilledFrom = page.length < pageSize ? null : page[page.length - 1]!.seq + 1
              Queue.offerAllUnsafe(handoff, page)
              return nextEnvelope
            },
            // The events stay in the inbox: read them again in a moment.
            onFailure: (error) => Effect.logWarning("inbox could not be read", error.message).pipe(
              Effect.andThen(Effect.sleep("1 second")),
              Effect.andThen(nextEnvelope)
            )
          })
        )
      }
      return Queue.take(handoff).pipe(Effect.flatMap((envelope) => (envelope === null ? nextEnvelope : Effect.succeed(envelope))))
    })

    /** Webhooks accepted, and the commits that made them durable (SQLite: shared by many webhooks). */
    const stats = { webhooks: 0, commits: 0 }
    let lastCounted: number | undefined
    const count = (transaction: number | undefined) => {
      stats.webhooks++
      if (transaction !== undefined && transaction === lastCounted) return
      lastCounted = transaction
      stats.commits++
    }

    // Many events per turn of the event loop (they share one commit), but not so many that
    // webhooks wait long for their turn: yield every DISPATCH_BATCH events.
    let routed = 0
    yield* nextEnvelope.pipe(
      Effect.flatMap(conversations.route),
      Effect.andThen(Effect.suspend(() => (++routed % DISPATCH_BATCH === 0 ? Effect.yieldNow : Effect.void))),
      Effect.forever({ disableYield: true }),
      Effect.forkScoped
    )
    yield* inbox.prune.pipe(
      Effect.catchCause((cause) => Effect.logWarning("inbox prune failed", String(cause))),
      Effect.repeat(Schedule.spaced("1 hour")),
      Effect.forkScoped
    )

    /**
     * SQLite: events stored, waiting for their shared transaction to be durable, in inbox order.
     * Webhooks store synchronously in the turn they arrive, so this order is the inbox's; a
     * transaction's durability covers every earlier one, so the first of its webhooks to hear
     * releases all that waits up to it, in order, whichever webhook's fiber runs first.
     */
    const awaitingCommit: Array<{ readonly transaction: number; readonly envelopes: ReadonlyArray<Envelope> }> = []
    const releaseUpTo = (transaction: number) => {
      while (awaitingCommit.length > 0 && awaitingCommit[0]!.transaction <= transaction) handOver(awaitingCommit.shift()!.envelopes)
    }
    /** PostgreSQL: transactions commit alone and in any order; one webhook at a time keeps the inbox order. */
    const oneAtATime = yield* Semaphore.make(1)

    type Stored = { readonly transaction: number | undefined; readonly fresh: ReadonlyArray<Envelope> }

    const storeShared = (channel: Channel, parsed: ParsedWebhook): Effect.Effect<Stored, DatabaseUnavailable> => {
      let waiting: (typeof awaitingCommit)[number] | undefined
      return database.transaction(inbox.store([{ channel, parsed }]).pipe(Effect.map(([fresh = []]) => {
        // Inside the unit, so no other webhook's store comes between the insert and this entry.
        waiting = { transaction: database.sharedTransaction()!, envelopes: fresh }
        awaitingCommit.push(waiting)
        return waiting
      }))).pipe(
        Effect.tap(() => database.committed()),
        Effect.tap(({ transaction }) => Effect.sync(() => releaseUpTo(transaction))),
        // Rolled back: its events are not handed over. Committed but not flushed (the webhook gets a
        // 503 all the same): they stay in line, and the next flush that succeeds hands them over.
        Effect.tapError((error) => Effect.sync(() => {
          if (error.committedNotFlushed === true) return
          const at = waiting === undefined ? -1 : awaitingCommit.indexOf(waiting)
          if (at >= 0) awaitingCommit.splice(at, 1)
        })),
        Effect.map(({ transaction, envelopes }) => ({ transaction, fresh: envelopes }))
      )
    }

    const storeAlone = (channel: Channel, parsed: ParsedWebhook): Effect.Effect<Stored, DatabaseUnavailable> =>
      oneAtATime.withPermit(database.transaction(inbox.store([{ channel, parsed }])).pipe(
        Effect.tap(() => database.committed()),
        Effect.map(([fresh = []]) => {
          handOver(fresh)
          return { transaction: undefined, fresh }
        })
      ))

    const shared = database.sharedTransaction() !== undefined

    /** Stores the webhook's events; once they are durable they go to their actors, in inbox order, and the webhook is answered. */
    const accept = (channel: Channel, parsed: ParsedWebhook): Effect.Effect<AcceptResult, IngestUnavailable> =>
      parsed.events.length === 0 && parsed.rejected.length === 0
        ? Effect.succeed({ accepted: 0, duplicates: 0, parked: 0 })
        : (shared ? storeShared(channel, parsed) : storeAlone(channel, parsed)).pipe(
          Effect.mapError((e) => new IngestUnavailable({ message: `events could not be stored: ${e.message}` })),
          Effect.map(({ fresh, transaction }) => {
            count(transaction)
            return { accepted: fresh.length, duplicates: parsed.events.length - fresh.length, parked: parsed.rejected.length }
          })
        )

    const retryParked = (seq: number) =>
      inbox.unpark(seq).pipe(
        Effect.tap(() => database.committed()),
        Effect.map((envelope) => {
          if (envelope === undefined) return "not_parked" as const
          if (envelope === "rejected") return "rejected" as const
          Queue.offerUnsafe(handoff, envelope)
          return "requeued" as const
        })
      )

    return Transport.of({
      accept, ready: database.ping, cluster: () => undefined, stats: () => ({ ...stats }), parked: inbox.parked, retryParked
    })
  })
)
