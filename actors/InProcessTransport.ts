/**
 * Embedded mode's transport: webhooks' events are written to the SQLite inbox by one writer
 * fiber that commits everything waiting in one transaction (group commit: a burst costs one
 * fsync), then handed to the conversation actors in order. At start, events accepted before
 * a crash but not yet handled are replayed.
 */
import { Deferred, Effect, Exit, Layer, Queue, Schedule } from "effect"
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

interface Pending {
  readonly channel: Channel
  readonly parsed: ParsedWebhook
  readonly done: Deferred.Deferred<AcceptResult, IngestUnavailable>
}

export const InProcessTransport = Layer.effect(
  Transport,
  Effect.gen(function*() {
    const database = yield* Database
    const conversations = yield* Conversations
    const HANDOFF_CAP = (yield* LoketConfig).handoffCap
    const inbox = makeInbox(database)
    const writes = yield* Queue.unbounded<Pending>()
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

    const stats = { webhooks: 0, commits: 0 }
    const commit = (batch: ReadonlyArray<Pending>) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(database.transaction(inbox.store(batch)).pipe(
          Effect.tap(() => database.committed()),
          Effect.mapError((e) => new IngestUnavailable({ message: `events could not be stored: ${e.message}` }))
        ))
        if (Exit.isFailure(exit)) {
          for (const pending of batch) yield* Deferred.failCause(pending.done, exit.cause)
          return
        }
        stats.commits++
        stats.webhooks += batch.length
        handOver(exit.value.flat())
        for (let i = 0; i < batch.length; i++) {
          const { parsed, done } = batch[i]!
          const accepted = exit.value[i]!.length
          yield* Deferred.succeed(done, { accepted, duplicates: parsed.events.length - accepted, parked: parsed.rejected.length })
        }
      })

    // Wait for the first webhook, then let the event loop run once more (setImmediate) so the
    // requests that arrived meanwhile join the same transaction: one fsync for the whole group.
    const gather = Effect.gen(function*() {
      const first = yield* Queue.takeAll(writes)
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
      const more = yield* Queue.clear(writes)
      return more.length === 0 ? first : [...first, ...more]
    })
    yield* gather.pipe(Effect.flatMap(commit), Effect.forever({ disableYield: true }), Effect.forkScoped)
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

    const accept = (channel: Channel, parsed: ParsedWebhook) =>
      Effect.gen(function*() {
        if (parsed.events.length === 0 && parsed.rejected.length === 0) return { accepted: 0, duplicates: 0, parked: 0 }
        const done = yield* Deferred.make<AcceptResult, IngestUnavailable>()
        yield* Queue.offer(writes, { channel, parsed, done })
        return yield* Deferred.await(done)
      })

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
