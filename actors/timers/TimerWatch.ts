/**
 * The durable timers' watch (table `timers`): while this instance leads (embedded: always;
 * cluster: the `leader` lease holder), it looks every TIMER_CHECK for pending timers that are due
 * and tells each one's conversation actor, which fires it once (actors/conversation/timer.ts).
 * A timer missed while Loket was down is due at the first look after the start: late, never
 * lost; one told twice (a second look, a new leader) is fired once, as the actor finds it settled.
 */
import { and, asc, eq, lte } from "drizzle-orm"
import { Duration, Effect, Layer, Schedule } from "effect"
import { nowIso } from "../../domain/time.ts"
import { Database, type DatabaseShape } from "../../drizzle/Database.ts"
import { conversationKey } from "../conversation/ConversationActor.ts"
import { Conversations } from "../Conversations.ts"
import { Leadership } from "../Leadership.ts"

/** How often the leader looks for due timers: follow-ups go out within this of the opening. */
export const TIMER_CHECK = Duration.seconds(15)
/** Timers told per look; more wait for the next one. */
const BATCH = 500

/** Pending timers due at `now` (ISO), earliest first, with their conversation actor's address. */
export const dueTimers = (database: DatabaseShape, now: string) =>
  database.all((db, t) =>
    db.select({ id: t.timers.id, channel: t.conversations.channel, account: t.conversations.channelAccountId, contactId: t.conversations.contactId })
      .from(t.timers)
      .innerJoin(t.conversations, eq(t.conversations.id, t.timers.conversationId))
      .where(and(eq(t.timers.state, "pending"), lte(t.timers.dueAt, now)))
      .orderBy(asc(t.timers.dueAt))
      .limit(BATCH)
  )

export const TimerWatch = Layer.effectDiscard(
  Effect.gen(function*() {
    const database = yield* Database
    const actors = yield* Conversations
    const leadership = yield* Leadership
    const check = Effect.gen(function*() {
      const due = yield* dueTimers(database, yield* nowIso)
      for (const timer of due) {
        yield* actors.tell(conversationKey(timer.channel, timer.account, timer.contactId), { kind: "timer", timerId: timer.id })
      }
    })
    yield* leadership.whileLeading("timer watch", check.pipe(
      Effect.catchCause((cause) => Effect.logWarning("timer check failed", String(cause))),
      Effect.repeat(Schedule.spaced(TIMER_CHECK)),
      Effect.asVoid
    ))
  })
)
