/** A resident's message and delivery statuses: applied with the inbox event marked done, in one transaction. */
import { nowIso, nowMillis } from "../../domain/time.ts"
import { Effect } from "effect"
import { advances, toMessageStatus } from "../../domain/delivery.ts"
import { newConversationId, newMessageId } from "../../domain/ids.ts"
import type { InboundMessageEvent, StatusEvent, TemplateStatusEvent } from "../../domain/InboundEvent.ts"
import type { MessageStatus } from "../../domain/Message.ts"
import type { ContactRow, ConversationRow, MessageRow } from "../../drizzle/schema.ts"
import type { ActorDeps, ConversationState } from "./deps.ts"
import { contentOf, conversationToJson, messageToJson } from "./serialize.ts"
import type { Envelope } from "../Inbox.ts"
import { windowEndAfter } from "./window-rule.ts"

/** Inside the handler's transaction: the inbox row is done (embedded); the stream is acknowledged after the commit (cluster). */
const markHandled = (deps: ActorDeps, envelope: Envelope) =>
  envelope.handled === undefined ? deps.inbox.markDone(envelope.seq) : Effect.void

export const onInboundMessage = (
  deps: ActorDeps,
  state: ConversationState,
  envelope: Envelope,
  event: InboundMessageEvent,
  knownContact?: ContactRow
) =>
  Effect.gen(function*() {
    const { store } = deps
    const body = event.message
    const at = body.createdAt
    const opensWindow = body.type !== "system"
    const result = yield* deps.database.transaction(Effect.gen(function*() {
      const now = yield* nowIso
      const existing = state.conversation
      const conversation: ConversationRow = existing ?? {
        id: newConversationId(), channel: state.channel, channelAccountId: state.channelAccountId,
        contactId: state.contactId, status: "open", team: null, assignee: null,
        createdAt: now, lastMessageAt: at, windowExpiresAt: null, lastOutboundAt: null, windowWarnedFor: null, unreadCount: 0
      }
      const row: MessageRow = {
        seq: 0, id: newMessageId(), conversationId: conversation.id, direction: "inbound", type: body.type,
        dedupeKey: event.key, providerMessageId: body.providerMessageId, createdAt: at, status: "received",
        text: body.text, replyTo: body.replyTo,
        content: { ...contentOf(body), sender: { kind: "resident", id: state.contactId, name: knownContact?.name ?? null } },
        error: body.error, flags: [],
        idempotencyKey: null, author: null
      }
      const windowEnd = windowEndAfter(conversation.channel, at)
      const afterMessage: ConversationRow = {
        ...conversation,
        // A resident writing to a closed conversation reopens it.
        status: "open",
        unreadCount: conversation.unreadCount + (body.type === "system" ? 0 : 1),
        lastMessageAt: at > conversation.lastMessageAt ? at : conversation.lastMessageAt,
        windowExpiresAt: opensWindow && windowEnd !== null && (conversation.windowExpiresAt === null || windowEnd > conversation.windowExpiresAt)
          ? windowEnd
          : conversation.windowExpiresAt
      }
      // A new conversation is written once, as it stands after its first message (before it, for the foreign key).
      if (existing === null) yield* store.insertConversation(afterMessage)
      const inserted = yield* store.insertMessage(row)
      const next = inserted === undefined ? (existing === null ? afterMessage : conversation) : afterMessage
      if (existing !== null && inserted !== undefined) yield* store.updateConversation(next)
      yield* markHandled(deps, envelope)
      return { conversation: next, message: inserted === undefined ? undefined : { ...row, seq: inserted } }
    }))
    yield* deps.database.committed()
    envelope.handled?.()
    const nextState = { ...state, conversation: result.conversation }
    if (result.message === undefined) return nextState // a redelivery: nothing changes
    const contact = knownContact ?? (yield* store.contact(state.contactId))!
    yield* deps.publish([
      { type: "message.created", data: messageToJson(result.message) },
      { type: "conversation.updated", data: conversationToJson(result.conversation, contact, yield* nowMillis) }
    ])
    return nextState
  })

/**
 * Applies `status` to `target` if it moves it forward. A status may be the first word of a
 * send's provider id (it came before the Graph API's answer, or after a crash): it binds it.
 */
export function applyDelivery(
  target: MessageRow,
  status: MessageStatus,
  error: MessageRow["error"],
  providerMessageId: string | null
): MessageRow | undefined {
  const bind = target.providerMessageId === null && providerMessageId !== null
  const moves = advances(target.status as MessageStatus, status)
  if (!bind && !moves) return undefined
  return {
    ...target,
    providerMessageId: bind ? providerMessageId : target.providerMessageId,
    status: moves ? status : target.status,
    error: moves && status === "failed" ? error : target.error
  }
}

export const onStatus = (deps: ActorDeps, state: ConversationState, envelope: Envelope, event: StatusEvent) =>
  Effect.gen(function*() {
    const { store } = deps
    const status = toMessageStatus(event.status)
    const updated = yield* deps.database.transaction(Effect.gen(function*() {
      let target = yield* store.messageByProviderId(event.providerMessageId)
      if (target === undefined && event.trackingId !== null) {
        const tracked = yield* store.messageById(event.trackingId)
        if (tracked !== undefined && tracked.conversationId === state.conversation?.id && tracked.direction === "outbound") target = tracked
      }
      let changed: MessageRow | undefined
      if (target === undefined) {
        // The message is not known (yet): keep the status until its provider id is.
        yield* store.insertOrphanStatus(event.key, event.providerMessageId, status, event.timestamp, event.error)
      } else {
        changed = applyDelivery(target, status, event.error, event.providerMessageId)
        if (changed !== undefined) yield* store.updateMessageDelivery(changed)
        // Any status proves the send reached the provider: an unconfirmed send is settled.
        if (target.direction === "outbound") {
          yield* store.settleOutbox(target.id, status === "failed" ? "failed" : "sent", status === "failed" ? JSON.stringify(event.error) : null)
        }
      }
      yield* markHandled(deps, envelope)
      return changed
    }))
    yield* deps.database.committed()
    envelope.handled?.()
    if (updated !== undefined) yield* deps.publish([{ type: "message.updated", data: messageToJson(updated) }])
    return state
  })

export const onTemplateStatus = (deps: ActorDeps, state: ConversationState, envelope: Envelope, event: TemplateStatusEvent) =>
  Effect.gen(function*() {
    yield* deps.database.transaction(Effect.gen(function*() {
      yield* deps.templates.setStatus(event.accountId, event.name, event.language, event.status.toUpperCase())
      yield* markHandled(deps, envelope)
    }))
    yield* deps.database.committed()
    envelope.handled?.()
    deps.templatesChanged()
    return state
  })
