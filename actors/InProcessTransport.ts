/**
 * Embedded mode's transport: webhooks' events are written to the SQLite inbox in the
 * transaction that every write of this turn of the event loop shares (group commit,
 * GroupCommit.ts: a burst costs one commit and one fsync), then, once durable, handed to the
 * conversation actors in order. At start, events
 * accepted before a crash but not yet handled are replayed.
 */
import { Effect, Layer, Queue, Schedule } from "effect"
import type { Channel } from "../domain/Channel.ts"
import type { ParsedWebhook } from "../domain/InboundEvent.ts"
import { Database } from "../drizzle/Database.ts"
import { LoketConfig } from "../gateway/Config.ts"
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
    yield* inbox.prune().pipe(
      Effect.catchCause((cause) => Effect.logWarning("inbox prune failed", String(cause))),
      Effect.repeat(Schedule.spaced("1 hour")),
      Effect.forkScoped
    )

    /** Stores the webhook's events; once they are durable, hands them to their actors (in inbox order) and answers. */
    const accept = (channel: Channel, parsed: ParsedWebhook): Effect.Effect<AcceptResult, IngestUnavailable> =>
      parsed.events.length === 0 && parsed.rejected.length === 0
        ? Effect.succeed({ accepted: 0, duplicates: 0, parked: 0 })
        : database.transaction(inbox.store([{ channel, parsed }]).pipe(
          Effect.map(([fresh = []]) => ({ fresh, transaction: database.sharedTransaction() }))
        )).pipe(
          Effect.tap(() => database.committed()),
          Effect.mapError((e) => new IngestUnavailable({ message: `events could not be stored: ${e.message}` })),
          Effect.map(({ fresh, transaction }) => {
            count(transaction)
            handOver(fresh)
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
