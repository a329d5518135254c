/**
 * The retention job: once an hour, on the leader only (one run per Loket, also in a cluster),
 * deletes what has outlived its period (periods.ts, docs/retention.md). Time comes from
 * Effect's Clock, so tests move it with TestClock.
 */
import { Clock, Effect, Layer, Schedule } from "effect"
import { Database, type DatabaseShape } from "../../drizzle/Database.ts"
import { Conversations } from "../Conversations.ts"
import { conversationKey } from "../conversation/ConversationActor.ts"
import type { ConversationMessage } from "../conversation/protocol.ts"
import { Leadership } from "../Leadership.ts"
import { DAY_MS, PRUNE_EVERY, RETENTION } from "./periods.ts"
import { pruneMessages, pruneOrphanStatuses, pruneParked, pruneSettledOutbox } from "./prune.ts"

/**
 * How many days messages are kept, asked at every run; null: kept until deleted otherwise.
 * The settings document's `retention.messagesDays` is meant to answer this.
 */
export type MessagesDays<R = never> = () => Effect.Effect<number | null, never, R>

export const keepMessages: MessagesDays = () => Effect.succeed(null)

export interface RetentionReport {
  readonly orphanStatuses: number
  readonly settledOutbox: number
  readonly parked: number
  readonly messages: number
  readonly emptiedConversations: number
}

const before = (now: number, days: number) => new Date(now - days * DAY_MS).toISOString()

/** One run of the retention job at the Clock's now. */
export const runRetention = <R = never>(
  database: DatabaseShape,
  tell: (key: string, message: ConversationMessage) => Effect.Effect<void>,
  messagesDays: MessagesDays<R> = keepMessages as MessagesDays<R>
) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const orphanStatuses = yield* pruneOrphanStatuses(database, before(now, RETENTION.orphanStatusesDays))
    const settledOutbox = yield* pruneSettledOutbox(database, before(now, RETENTION.settledOutboxDays))
    const parked = yield* pruneParked(database, before(now, RETENTION.parkedDays))
    const days = yield* messagesDays()
    let messages = 0
    let emptiedConversations = 0
    if (days !== null && Number.isFinite(days) && days >= 0) {
      const cutoff = before(now, days)
      const pruned = yield* pruneMessages(database, cutoff)
      messages = pruned.deleted
      emptiedConversations = pruned.emptied.length
      // A conversation's row is its actor's to change: each removes itself if it is still empty.
      for (const c of pruned.emptied) {
        yield* tell(conversationKey(c.channel, c.channelAccountId, c.contactId), { kind: "prune-if-empty", before: cutoff })
      }
    }
    return { orphanStatuses, settledOutbox, parked, messages, emptiedConversations } satisfies RetentionReport
  })

export const Retention = {
  /**
   * `messagesDays`: asked at every run; default: keep messages. It may use services (`R`, e.g.
   * the settings service, reading `retention.messagesDays` of the current document); the layer
   * then requires them.
   */
  layer: <R = never>(messagesDays: MessagesDays<R> = keepMessages as MessagesDays<R>) =>
    Layer.effectDiscard(Effect.gen(function*() {
      const database = yield* Database
      const conversations = yield* Conversations
      const leadership = yield* Leadership
      const context = yield* Effect.context<R>()
      const days: MessagesDays = () => Effect.provideContext(messagesDays(), context)
      yield* leadership.whileLeading("retention", runRetention(database, conversations.tell, days).pipe(
        Effect.tap((report) => Effect.logInfo("retention run", report)),
        Effect.catchCause((cause) => Effect.logWarning("retention run failed", String(cause))),
        Effect.repeat(Schedule.spaced(PRUNE_EVERY)),
        Effect.asVoid
      ))
    }))
}
