/**
 * The conversation actor: the single writer of one conversation (channel account × resident).
 * Residents' messages and statuses, agents' sends, the dispatcher's results and the window
 * timer all pass through it, one at a time, in order.
 */
import { Cause, Deferred, Effect } from "effect"
import { SendRefused, WorkRefused } from "../../domain/errors.ts"
import { CurrentBatch, CurrentFence, isFenced } from "../../drizzle/Database.ts"
import type { ActorBehavior } from "../ActorHost.ts"
import type { Envelope, Inbox } from "../Inbox.ts"
import type { ActorDeps, ConversationState } from "./deps.ts"
import { onInboundMessage, onStatus, onTemplateStatus } from "./inbound.ts"
import { onSend, onSendFailed, onSent } from "./outbound.ts"
import type { ConversationMessage } from "./protocol.ts"
import { onPruneIfEmpty } from "./retention.ts"
import { onWindowCheck } from "./window.ts"
import { onWork } from "./work.ts"
import { onTimer } from "./timer.ts"

export type { ConversationState } from "./deps.ts"

/** `<channel>|<channel account>|<contact id>`: the actor's address. */
export const conversationKey = (channel: string, channelAccountId: string, contactId: string) =>
  `${channel}|${channelAccountId}|${contactId}`

/** Parks an event that kept failing: its inbox row (embedded), or a new parked row, then the stream is acknowledged (cluster). */
export const parkEnvelope = (inbox: Inbox, envelope: Envelope, cause: string) =>
  envelope.handled === undefined
    ? inbox.park(envelope.seq, cause, 5)
    : inbox.parkEvent(envelope.event, cause, 5).pipe(Effect.tap(() => Effect.sync(() => envelope.handled!())))

export function makeConversationBehavior(deps: ActorDeps): ActorBehavior<ConversationState, ConversationMessage> {
  const activate = (key: string, first: ConversationMessage) =>
    Effect.suspend(() => {
      const [channel = "", channelAccountId = "", contactId = ""] = key.split("|")
      // A contact made for this very event has no conversation to load.
      const fresh = first.kind === "event" && first.newContact === true
      return (fresh ? Effect.succeed(undefined) : deps.store.find(channel, channelAccountId, contactId)).pipe(
        Effect.map((conversation): ConversationState => ({ channel, channelAccountId, contactId, conversation: conversation ?? null }))
      )
    })

  const receive = (state: ConversationState, message: ConversationMessage): Effect.Effect<ConversationState, unknown> => {
    const fence = message.kind === "event" ? message.envelope.fence : message.kind === "hold" ? undefined : message.fence
    const fenced = fence === undefined ? handle(state, message) : Effect.provideService(handle(state, message), CurrentFence, fence)
    const member = message.kind === "event" ? message.envelope.batch : undefined
    if (member === undefined) return fenced
    // In a batch (cluster mode): its transaction joins the batch's. Once the batch has failed, what
    // this event did in it is rolled back and the state is the one before it: the event is applied
    // again on its own (by the partition's consumer), so it is neither retried nor parked here.
    return Effect.provideService(fenced, CurrentBatch, member).pipe(
      Effect.matchCauseEffect({
        onSuccess: (next) => Effect.sync(() => {
          member.arrive()
          return next
        }),
        onFailure: (cause) => member.failed()
          ? Effect.sync(() => {
            member.arrive()
            return state
          })
          : Effect.failCause(cause)
      })
    )
  }

  const handle = (state: ConversationState, message: ConversationMessage): Effect.Effect<ConversationState, unknown> => {
    switch (message.kind) {
      case "event": {
        const { envelope } = message
        // Its partition moved to another instance while it waited here: that one applies it.
        if (envelope.owned?.() === false) return Effect.succeed(state)
        const event = envelope.event
        if (event.kind === "message") return onInboundMessage(deps, state, envelope, event, message.contact)
        if (event.kind === "status") return onStatus(deps, state, envelope, event)
        return onTemplateStatus(deps, state, envelope, event)
      }
      case "send":
        return onSend(deps, state, message.command, message.reply)
      case "sent":
        return onSent(deps, state, message.messageId, message.providerMessageId)
      case "send-failed":
        return onSendFailed(deps, state, message.messageId, message.error)
      case "window-check":
        return onWindowCheck(deps, state)
      case "prune-if-empty":
        return onPruneIfEmpty(deps, state, message.before)
      case "hold":
        return Deferred.succeed(message.ready, undefined).pipe(
          Effect.andThen(Deferred.await(message.release)),
          Effect.andThen(deps.store.find(state.channel, state.channelAccountId, state.contactId)),
          Effect.map((conversation): ConversationState => ({ ...state, conversation: conversation ?? null }))
        )
      case "work":
        return onWork(deps, state, message.command, message.by, message.reply)
      case "timer":
        return onTimer(deps, state, message.timerId)
    }
  }

  const onFailure = (key: string, message: ConversationMessage, cause: Cause.Cause<unknown>) =>
    failed(key, message, cause).pipe(
      Effect.ensuring(Effect.sync(() => (message.kind === "event" ? message.envelope.batch?.arrive() : undefined)))
    )

  const failed = (key: string, message: ConversationMessage, cause: Cause.Cause<unknown>) => {
    if (isFenced(Cause.squash(cause))) return onFenced(key, message)
    const recorded = (() => {
      switch (message.kind) {
        case "event":
          return parkEnvelope(deps.inbox, message.envelope, Cause.pretty(cause)).pipe(
            Effect.andThen(Effect.logError("event parked after retries", { seq: message.envelope.seq, kind: message.envelope.event.kind }))
          )
        case "hold":
          // Not activated (or its reload failed): it holds nothing, and the merge must not wait for it.
          return Deferred.succeed(message.ready, undefined).pipe(Effect.asVoid)
        case "send":
          return Effect.logError("send could not be stored", { key }).pipe(
            Effect.andThen(Deferred.die(message.reply, Cause.squash(cause)))
          )
        case "work":
          return Effect.logError("a change to the conversation could not be stored", { key, op: message.command.op }).pipe(
            Effect.andThen(Deferred.die(message.reply, Cause.squash(cause)))
          )
        case "sent":
          // The message row could not be updated, but Meta has the message: settle the outbox
          // so it is never sent again, and say so.
          return deps.database.transaction(deps.store.settleOutbox(message.messageId, "sent", "status not recorded")).pipe(
            Effect.andThen(Effect.logError("sent could not be applied; outbox settled", { key, cause: Cause.pretty(cause) }))
          )
        default:
          // The outbox row stays as it was; the dispatcher settles it again after a restart.
          return Effect.logError(`${message.kind} could not be applied`, { key, cause: Cause.pretty(cause) })
      }
    })()
    return recorded.pipe(Effect.catchCause(() => Effect.void))
  }

  /** A newer owner of the partition has written: nothing of this was stored, the work is its now. */
  const onFenced = (key: string, message: ConversationMessage) => {
    switch (message.kind) {
      case "event": // not acknowledged: the new owner gets it from the stream
        return Effect.logInfo("event left to the partition's new owner", { seq: message.envelope.seq })
      case "send":
        return Deferred.fail(message.reply, new SendRefused({
          code: "conversation_unavailable", status: 503,
          message: "This conversation moved to another Loket instance while the reply was stored; send it again."
        })).pipe(Effect.asVoid)
      case "work":
        return Deferred.fail(message.reply, new WorkRefused({
          code: "conversation_unavailable", status: 503,
          message: "This conversation moved to another Loket instance while the change was stored; try again."
        })).pipe(Effect.asVoid)
      default:
        return Effect.logInfo(`${message.kind} left to the partition's new owner`, { key })
    }
  }

  return { activate, receive, onFailure }
}

