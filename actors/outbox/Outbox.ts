/**
 * The outbox dispatcher: sends accepted replies through their channel, at the rate Meta
 * allows per number (exact per second) and per resident (the pair limit), with many requests
 * in flight. Transient failures are retried with exponential backoff and jitter; permanent
 * ones fail the message with Meta's code and title; an expired token also raises an alert.
 * Results go back to the conversation's actor, the message's single writer.
 */
import { isoIn, nowIso, nowMillis } from "../../domain/time.ts"
import { Context, Duration, Effect, Layer, Semaphore } from "effect"
import { isSendFailure, type SendFailure } from "../../adapters/ChannelAdapter.ts"
import type { OutboundRequest } from "../../domain/Outbound.ts"
import { Database, type DatabaseUnavailable } from "../../drizzle/Database.ts"
import { Leadership } from "../Leadership.ts"
import type { OutboxRow } from "../../drizzle/schema.ts"
import { LoketConfig } from "../../config/Config.ts"
import { conversationKey } from "../conversation/ConversationActor.ts"
import { Conversations } from "../Conversations.ts"
import { Events } from "../Events.ts"
import { makeOutboxStore } from "./OutboxStore.ts"
import { OutboxSignal } from "./OutboxSignal.ts"
import { makePairLimit } from "./PairLimit.ts"
import { makeSenderLimit } from "./SenderLimit.ts"
import { Senders } from "./Senders.ts"
import { Channels } from "../Channels.ts"

/** Requests to providers in flight at once, over all numbers. */
const MAX_IN_FLIGHT = 128
/**
 * Sends taken from the queue and not yet finished (waiting for their `sending` mark to be flushed,
 * for a request slot, for the number's pace, or under way). Bounds what a crash leaves `sending`
 * (those wait `confirmSeconds` for a status before they go again).
 */
const MAX_STAGED = 1024
const BATCH = 256
/** Meta's pair limit: one message per 6 s to one resident, with a burst allowance. */
const PAIR_INTERVAL_MS = 6000
export const MAX_ATTEMPTS = 12
const BACKOFF_BASE_MS = 1000
const BACKOFF_CAP_MS = 5 * 60 * 1000

/** Exponential, capped, with jitter (half to all of the step), so retries of many sends spread out. */
export const backoffMs = (attempt: number, random = Math.random) => {
  const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1))
  return Math.round(step * (0.5 + random() / 2))
}

export class Outbox extends Context.Service<Outbox, {
  /** Sends waiting or under way. */
  readonly backlog: () => Effect.Effect<number, DatabaseUnavailable>
}>()("loket/actors/Outbox") {
  static readonly layer = Layer.effect(
    Outbox,
    Effect.gen(function*() {
      const database = yield* Database
      const config = yield* LoketConfig
      const conversations = yield* Conversations
      const events = yield* Events
      const signal = yield* OutboxSignal
      const senders = yield* Senders
      const channels = yield* Channels
      const store = makeOutboxStore(database)
      const senderLimit = makeSenderLimit(config.outbound.perSecond)
      const permits = yield* Semaphore.make(MAX_IN_FLIGHT)
      const staged = yield* Semaphore.make(MAX_STAGED)
      const scope = yield* Effect.scope
      const inFlight = new Set<number>()
      /** Residents with a send under way: one at a time each, so replies arrive in the order they were written. */
      const busyPairs = new Set<string>()
      const pairOf = (row: OutboxRow) => `${row.channelAccountId}|${row.contactId}`
      const burst = config.outbound.pairBurst


      const keyOf = (row: OutboxRow) => conversationKey(row.channel, row.channelAccountId, row.contactId)

      /** Milliseconds until the resident may get another message at `now`; 0 = now (a token is taken). */
      const pairLimit = makePairLimit(burst, PAIR_INTERVAL_MS)

      const fail = (row: OutboxRow, failure: SendFailure) =>
        Effect.gen(function*() {
          if (failure.tokenExpired) {
            const adapter = channels.of(row.channel)
            const credential = adapter?.sendRequires ?? "the channel's token"
            yield* Effect.logWarning(`${adapter?.label ?? row.channel} token rejected (code ${failure.code}): renew ${credential}`)
            yield* events.publish([{
              type: "channel.alert",
              data: {
                channel: row.channel, channelAccountId: row.channelAccountId, code: failure.code, title: failure.title,
                message: `The channel's access token no longer works: renew ${credential} and restart Loket.`,
                at: yield* nowIso
              }
            }])
          }
          yield* conversations.tell(keyOf(row), { kind: "send-failed", messageId: row.messageId, error: { code: failure.code, title: failure.title } })
        })

      const settle = (row: OutboxRow, outcome: { ok: true; id: string } | { ok: false; failure: SendFailure }) =>
        Effect.gen(function*() {
          if (outcome.ok) {
            return yield* conversations.tell(keyOf(row), { kind: "sent", messageId: row.messageId, providerMessageId: outcome.id })
          }
          const { failure } = outcome
          const attempts = row.attempts + 1
          if (!failure.retryable) return yield* fail(row, failure)
          if (attempts >= MAX_ATTEMPTS) {
            return yield* fail(row, { ...failure, title: `gave up after ${attempts} attempts: ${failure.title}` })
          }
          if (failure.code === 130429 || failure.code === 429) {
            senderLimit.pause(row.channelAccountId, performance.now() + (failure.retryAfterMs ?? 1000))
          }
          const wait = Math.max(failure.retryAfterMs ?? 0, backoffMs(attempts))
          yield* store.retryLater(row.seq, attempts, yield* isoIn(wait), `${failure.code}: ${failure.title}`)
          signal.wake()
        })

      /** Waits until `sender` may send (see SenderLimit), then holds a slot for this send. */
      const waitForSlot = (sender: string): Effect.Effect<number> =>
        Effect.suspend(() => {
          const got = senderLimit.acquire(sender, performance.now())
          return "slot" in got ? Effect.succeed(got.slot) : Effect.sleep(Duration.millis(got.waitMs)).pipe(Effect.andThen(waitForSlot(sender)))
        })
      /**
       * One send per number waits for the pace at a time; the others queue behind it. (Each waiting on
       * its own timer, every send in flight woke at the same moment for one slot, and the rest slept
       * again: a herd of up to MAX_IN_FLIGHT wake-ups per send whenever the limit held them back.)
       */
      const paceGates = new Map<string, Semaphore.Semaphore>()
      const paceSender = (sender: string): Effect.Effect<number> =>
        Effect.suspend(() => {
          let gate = paceGates.get(sender)
          if (gate === undefined) {
            gate = Semaphore.makeUnsafe(1)
            paceGates.set(sender, gate)
          }
          return gate.withPermits(1)(waitForSlot(sender))
        })

      const sendOne = (row: OutboxRow) =>
        Effect.gen(function*() {
          const sender = senders.of(row.channel)
          let outcome: { ok: true; id: string } | { ok: false; failure: SendFailure }
          if (sender === undefined) {
            outcome = { ok: false, failure: { retryable: true, code: "channel_not_configured", title: `${row.channel} has no credentials to send with`, tokenExpired: false, retryAfterMs: 60_000 } }
          } else {
            // Paced right before the request, and the slot closed when Meta answered: see SenderLimit.
            const slot = yield* paceSender(row.channelAccountId)
            outcome = yield* Effect.promise(() =>
              sender.send(row.request as OutboundRequest).then(
                (r) => ({ ok: true as const, id: r.providerMessageId }),
                (error: unknown) => ({
                  ok: false as const,
                  failure: isSendFailure(error)
                    ? error
                    : { retryable: true, code: "unexpected", title: error instanceof Error ? error.message : String(error), tokenExpired: false, retryAfterMs: null }
                })
              ).finally(() => senderLimit.complete(row.channelAccountId, slot, performance.now()))
            )
          }
          yield* settle(row, outcome)
        }).pipe(
          Effect.catchCause((cause) => Effect.logError("outbox send crashed", { seq: row.seq, cause: String(cause) })),
          Effect.ensuring(Effect.sync(() => {
            inFlight.delete(row.seq)
            busyPairs.delete(pairOf(row))
            signal.wake()
          }))
        )

      /** The `sending` mark was not flushed: the row goes back to the queue, unsent. */
      const notMarked = (row: OutboxRow, cause: unknown) =>
        Effect.gen(function*() {
          yield* Effect.logError("outbox batch not flushed; its sends go back to the queue", { seq: row.seq, cause: String(cause) })
          yield* store.retryLater(row.seq, row.attempts, yield* isoIn(1000), row.lastError)
        }).pipe(
          Effect.catchCause((again) => Effect.logError("outbox row left as sending (recovered at the next start)", { seq: row.seq, cause: String(again) })),
          Effect.ensuring(Effect.sync(() => {
            inFlight.delete(row.seq)
            busyPairs.delete(pairOf(row))
            signal.wake()
          }))
        )

      const round = Effect.gen(function*() {
        const now = yield* nowMillis
        const rows = (yield* store.due(new Date(now).toISOString(), BATCH)).filter((row) => !inFlight.has(row.seq))
        if (rows.length === 0) {
          const next = yield* store.nextDue()
          const until = next === undefined ? 1000 : Math.min(1000, Math.max(5, Date.parse(next) - now))
          return yield* signal.wait(until)
        }
        const ready: Array<OutboxRow> = []
        for (const row of rows) {
          if (busyPairs.has(pairOf(row))) continue // after the send to this resident that is under way
          const wait = pairLimit.take(pairOf(row), now)
          if (wait > 0) yield* store.retryLater(row.seq, row.attempts, yield* isoIn(wait), row.lastError)
          else {
            ready.push(row)
            busyPairs.add(pairOf(row))
          }
        }
        // Everything due waits for a send under way or for its resident's pair limit: wait for the bell.
        if (ready.length === 0) return yield* signal.wait(50)
        yield* store.markSending(ready.map((row) => row.seq))
        // A send starts only once its `sending` mark is durable (after a crash it must not go again
        // unconfirmed), but the next round need not wait for that flush: it takes the next rows
        // meanwhile, so the dispatcher's pace does not follow the disk's fsync time.
        const durable = database.committed()
        for (const row of ready) {
          inFlight.add(row.seq)
          yield* staged.take(1)
          yield* durable.pipe(
            Effect.matchCauseEffect({
              onSuccess: () => permits.withPermits(1)(sendOne(row)),
              onFailure: (cause) => notMarked(row, cause)
            }),
            Effect.ensuring(staged.release(1)),
            Effect.forkIn(scope)
          )
        }
      })

      const leadership = yield* Leadership
      // Once per Loket (the leader in cluster mode), so the per-number limit is kept across the cluster.
      yield* leadership.whileLeading("outbox dispatcher", Effect.gen(function*() {
        // Sends under way when the last dispatcher stopped may or may not have reached Meta.
        yield* store.recoverInterrupted(yield* isoIn(config.outbound.confirmSeconds * 1000)).pipe(
          Effect.catchCause((cause) => Effect.logError("interrupted sends could not be recovered", String(cause)))
        )
        yield* round.pipe(
          Effect.catchCause((cause) => Effect.logError("outbox round failed", String(cause)).pipe(Effect.andThen(Effect.sleep("1 second")))),
          Effect.forever
        )
      }))
      return Outbox.of({ backlog: () => store.pendingCount() })
    })
  )
}
