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
import { writeAutoMessage } from "./auto-reply.ts"
import { agentViewOf } from "../safety/agent-view.ts"
import { checkInbound } from "../safety/inbound-check.ts"

/** Flag of Loket's warning not to send personal data (beside `auto`). */
export const PERSONAL_DATA_WARNING_FLAG = "warning:personal-data"
import type { Envelope } from "../Inbox.ts"
import { windowEndAfter } from "./window-rule.ts"
import { decideOnInbound, type InboundDecision } from "../../domain/playbook/decide.ts"
import { applyPlaybook, awaitsAnswer } from "./playbook.ts"

/** A conversation as it starts, before its first message (`at`: the message's time). */
const newConversation = (state: ConversationState, now: string, at: string): ConversationRow => ({
  id: newConversationId(), channel: state.channel, channelAccountId: state.channelAccountId,
  contactId: state.contactId, status: "open", team: null, assignee: null,
  createdAt: now, lastMessageAt: at, windowExpiresAt: null, lastOutboundAt: null, windowWarnedFor: null, unreadCount: 0, personalDataWarnedAt: null,
  waitingSince: null, autoRepliedFor: null
})

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
  event.echo !== undefined ? onEcho(deps, state, envelope, event, event.echo, knownContact) : Effect.gen(function*() {
    const { store } = deps
    const body = event.message
    const at = body.createdAt
    const opensWindow = body.type !== "system"
    const settings = yield* deps.safety
    const check = checkInbound(body, settings)
    // The warning is written with the message: its contact (for the outbox row) is read first.
    const mayWarn = check.personalDataFound && settings.personalData.warnResident && opensWindow &&
      (state.conversation === null || state.conversation.personalDataWarnedAt === null)
    const warnContact = mayWarn ? (knownContact ?? (yield* store.contact(state.contactId))) : undefined
    // The playbook (office hours, auto-replies, follow-ups) for messages that wait for an answer.
    const waits = awaitsAnswer(body.type)
    const playbook = waits && deps.settings !== undefined ? yield* deps.settings : undefined
    const result = yield* deps.database.transaction(Effect.gen(function*() {
      const nowMs = yield* nowMillis
      const now = new Date(nowMs).toISOString()
      const existing = state.conversation
      const conversation: ConversationRow = existing ?? newConversation(state, now, at)
      const row: MessageRow = {
        seq: 0, id: newMessageId(), conversationId: conversation.id, direction: "inbound", type: body.type,
        dedupeKey: event.key, providerMessageId: body.providerMessageId, createdAt: at, status: "received",
        text: body.text, replyTo: body.replyTo,
        content: { ...contentOf(body), sender: { kind: "resident", id: state.contactId, name: knownContact?.name ?? null }, ...(check.stored === undefined ? {} : { safety: check.stored }) },
        error: body.error, flags: [...check.flags],
        idempotencyKey: null, author: null
      }
      const windowEnd = windowEndAfter(conversation.channel, at)
      const afterMessage: { -readonly [K in keyof ConversationRow]: ConversationRow[K] } = {
        ...conversation,
        // A resident writing to a closed conversation reopens it.
        status: "open",
        unreadCount: conversation.unreadCount + (body.type === "system" ? 0 : 1),
        lastMessageAt: at > conversation.lastMessageAt ? at : conversation.lastMessageAt,
        windowExpiresAt: opensWindow && windowEnd !== null && (conversation.windowExpiresAt === null || windowEnd > conversation.windowExpiresAt)
          ? windowEnd
          : conversation.windowExpiresAt,
        waitingSince: waits && conversation.waitingSince === null ? at : conversation.waitingSince
      }
      // Loket's own replies go only while the resident's window is open (a redelivery days late gets none).
      const decision: InboundDecision | undefined = playbook === undefined ? undefined : (() => {
        const decided = decideOnInbound(playbook, nowMs, { isNew: existing === null, autoRepliedFor: conversation.autoRepliedFor })
        const windowOpen = afterMessage.windowExpiresAt !== null && afterMessage.windowExpiresAt > now
        return windowOpen ? decided : { ...decided, replies: [], repliedFor: undefined }
      })()
      if (decision?.repliedFor !== undefined) afterMessage.autoRepliedFor = decision.repliedFor
      // A new conversation is written once, as it stands after its first message (before it, for the foreign key).
      if (existing === null) yield* store.insertConversation(afterMessage)
      const inserted = yield* store.insertMessage(row)
      let next = inserted === undefined ? (existing === null ? afterMessage : conversation) : afterMessage
      // Once per conversation, when the channel's window lets a text go now: the durable "warned" fact goes with it.
      const warning = inserted !== undefined && warnContact !== undefined && next.personalDataWarnedAt === null
        ? yield* writeAutoMessage(deps, next, warnContact, { text: settings.personalData.text, flags: [PERSONAL_DATA_WARNING_FLAG] }, now)
        : undefined
      if (warning !== undefined) next = { ...next, personalDataWarnedAt: now }
      if ((existing !== null && inserted !== undefined) || warning !== undefined) yield* store.updateConversation(next)
      const resident = knownContact === undefined
        ? Effect.map(store.contact(state.contactId), (found) => found!)
        : Effect.succeed(knownContact)
      const auto = inserted === undefined || decision === undefined
        ? []
        : yield* applyPlaybook(deps, next, resident, decision, existing !== null && existing.waitingSince !== null, now)
      yield* markHandled(deps, envelope)
      return { conversation: next, message: inserted === undefined ? undefined : { ...row, seq: inserted }, warning, auto }
    }))
    yield* deps.database.committed()
    envelope.handled?.()
    const nextState = { ...state, conversation: result.conversation }
    if (result.message === undefined) return nextState // a redelivery: nothing changes
    // Ids, type and flags only: never the text, the number or what was detected in it.
    yield* Effect.logDebug("inbound message stored", { conversationId: result.conversation.id, messageId: result.message.id, type: result.message.type, flags: result.message.flags })
    const contact = warnContact ?? knownContact ?? (yield* store.contact(state.contactId))!
    const view = agentViewOf(settings)
    if (result.warning !== undefined || result.auto.length > 0) deps.wakeOutbox()
    const alertAt = yield* nowIso
    yield* deps.publish([
      { type: "message.created", data: messageToJson(result.message, view) },
      ...(result.warning === undefined ? [] : [{ type: "message.created" as const, data: messageToJson(result.warning, view) }]),
      ...result.auto.map((auto) => ({ type: "message.created" as const, data: messageToJson(auto, view) })),
      { type: "conversation.updated", data: conversationToJson(result.conversation, contact, yield* nowMillis) },
      ...(check.blockedLinks.length === 0 ? [] : [{
        type: "link.blocked" as const,
        data: {
          conversationId: result.conversation.id, messageId: result.message.id, at: alertAt,
          links: check.blockedLinks.map((l) => ({ host: l.host.replace(/\./g, "[.]"), reason: l.reason ?? "block-list" }))
        }
      }])
    ])
    return nextState
  })

/**
 * The account's own message, echoed by the provider. One of Loket's own sends (by the tracking id
 * it set as metadata, or by the provider id it already bound) only gets its provider id; a message
 * sent from another tool (Meta Business Suite) is recorded as an outbound message, `sent`, with
 * the tool as author and flag `echo`. It neither opens nor extends the window.
 */
const onEcho = (
  deps: ActorDeps,
  state: ConversationState,
  envelope: Envelope,
  event: InboundMessageEvent,
  echo: NonNullable<InboundMessageEvent["echo"]>,
  knownContact?: ContactRow
) =>
  Effect.gen(function*() {
    const { store } = deps
    const body = event.message
    const at = body.createdAt
    const result = yield* deps.database.transaction(Effect.gen(function*() {
      const tracked = echo.trackingId === null ? undefined : yield* store.messageById(echo.trackingId)
      const own = tracked !== undefined && tracked.direction === "outbound"
        ? tracked
        : body.providerMessageId === null ? undefined : yield* store.messageByProviderId(body.providerMessageId)
      if (own !== undefined || echo.trackingId !== null) {
        // Loket's own send: bind its provider id if the Send API's answer has not yet.
        const bound = own === undefined ? undefined : applyDelivery(own, "sent", null, body.providerMessageId)
        if (bound !== undefined) yield* store.updateMessageDelivery(bound)
        yield* markHandled(deps, envelope)
        return { conversation: state.conversation, message: undefined, updated: bound }
      }
      const now = yield* nowIso
      const existing = state.conversation
      const conversation: ConversationRow = existing ?? newConversation(state, now, at)
      const row: MessageRow = {
        seq: 0, id: newMessageId(), conversationId: conversation.id, direction: "outbound", type: body.type,
        dedupeKey: event.key, providerMessageId: body.providerMessageId, createdAt: at, status: "sent",
        text: body.text, replyTo: body.replyTo, content: contentOf(body), error: null, flags: ["echo"],
        idempotencyKey: null, author: echo.author
      }
      const after: ConversationRow = {
        ...conversation,
        lastMessageAt: at > conversation.lastMessageAt ? at : conversation.lastMessageAt,
        lastOutboundAt: conversation.lastOutboundAt === null || at > conversation.lastOutboundAt ? at : conversation.lastOutboundAt
      }
      if (existing === null) yield* store.insertConversation(after)
      const inserted = yield* store.insertMessage(row)
      const next = inserted === undefined ? (existing === null ? after : conversation) : after
      if (existing !== null && inserted !== undefined) yield* store.updateConversation(next)
      yield* markHandled(deps, envelope)
      return { conversation: next, message: inserted === undefined ? undefined : { ...row, seq: inserted }, updated: undefined }
    }))
    yield* deps.database.committed()
    envelope.handled?.()
    const nextState = { ...state, conversation: result.conversation }
    if (result.updated !== undefined) yield* deps.publish([{ type: "message.updated", data: messageToJson(result.updated) }])
    if (result.message === undefined || result.conversation === null) return nextState
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
  event.upTo !== undefined ? onWatermark(deps, state, envelope, event, event.upTo) : Effect.gen(function*() {
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

/** A watermark status (`upTo`): every outbound message the provider took up to then moves forward to it. */
const onWatermark = (deps: ActorDeps, state: ConversationState, envelope: Envelope, event: StatusEvent, upTo: string) =>
  Effect.gen(function*() {
    const { store } = deps
    const status = toMessageStatus(event.status)
    const conversationId = state.conversation?.id
    const updated = yield* deps.database.transaction(Effect.gen(function*() {
      const changed: Array<MessageRow> = []
      if (conversationId !== undefined) {
        for (const target of yield* store.sentUpTo(conversationId, upTo)) {
          const next = applyDelivery(target, status, null, null)
          if (next === undefined) continue
          yield* store.updateMessageDelivery(next)
          yield* store.settleOutbox(target.id, "sent", null)
          changed.push(next)
        }
      }
      yield* markHandled(deps, envelope)
      return changed
    }))
    yield* deps.database.committed()
    envelope.handled?.()
    if (updated.length > 0) yield* deps.publish(updated.map((row) => ({ type: "message.updated" as const, data: messageToJson(row) })))
    return state
  })
