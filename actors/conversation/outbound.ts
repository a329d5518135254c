/**
 * An agent's reply: checked against the conversation (24-hour window, templates), written
 * together with its outbox entry in one durable transaction, then answered. The dispatcher's
 * results come back here, so the conversation keeps one writer.
 */
import { nowIso } from "../../domain/time.ts"
import { and, eq } from "drizzle-orm"
import { Deferred, Effect } from "effect"
import { SendRefused } from "../../domain/errors.ts"
import { newMessageId } from "../../domain/ids.ts"
import type { MessageError } from "../../domain/Message.ts"
import type { OutboundContent, OutboundRequest } from "../../domain/Outbound.ts"
import type { MessageRow, TemplateRow } from "../../drizzle/schema.ts"
import { toMessageStatus } from "../../domain/delivery.ts"
import type { DeliveryStatus } from "../../domain/InboundEvent.ts"
import type { SendCommand } from "./protocol.ts"
import type { ActorDeps, ConversationState } from "./deps.ts"
import { applyDelivery } from "./inbound.ts"
import { conversationToJson, messageToJson } from "./serialize.ts"
import { checkTemplate, renderTemplateText } from "./template-check.ts"
import { checkWindow } from "./window-rule.ts"

/** What agents read of an outbound message: text, and the parts the contract's Message has. */
function describe(content: OutboundContent, template: TemplateRow | undefined): { text: string | null; content: Record<string, unknown> } {
  switch (content.type) {
    case "text":
      return { text: content.text, content: {} }
    case "template": {
      const asked = { name: content.template.name, language: content.template.language, components: content.template.components ?? [] }
      return { text: renderTemplateText(template, asked.components), content: { template: asked } }
    }
    case "interactive": {
      const i = content.interactive
      return {
        text: i.body,
        content: {
          interactive: {
            type: i.type, body: i.body, header: i.header ?? null, footer: i.footer ?? null,
            buttons: i.type === "button" ? i.buttons.map((b) => ({ id: b.id, title: b.title })) : null,
            button: i.type === "list" ? i.button : null,
            sections: i.type === "list"
              ? i.sections.map((s) => ({ title: s.title ?? null, rows: s.rows.map((r) => ({ id: r.id, title: r.title, description: r.description ?? null })) }))
              : null
          }
        }
      }
    }
    case "reaction":
      return { text: null, content: { reaction: { emoji: content.reaction.emoji === "" ? null : content.reaction.emoji, messageId: content.reaction.messageId } } }
    default: {
      const media = content.media
      return {
        text: media.caption ?? null,
        content: {
          media: {
            id: media.id ?? media.link ?? "", mimeType: "", sha256: null, filename: media.filename ?? null,
            ...(media.link === undefined ? {} : { link: media.link })
          }
        }
      }
    }
  }
}

export const onSend = (
  deps: ActorDeps,
  state: ConversationState,
  command: SendCommand,
  reply: Deferred.Deferred<import("../../domain/Message.ts").Message, SendRefused>
) =>
  Effect.gen(function*() {
    const { store } = deps
    const conversation = state.conversation
    if (conversation === null) {
      yield* Deferred.fail(reply, new SendRefused({ code: "conversation_not_found", status: 404, message: "This conversation does not exist." }))
      return state
    }
    if (command.idempotencyKey !== null) {
      const earlier = yield* store.messageByIdempotencyKey(conversation.id, command.idempotencyKey)
      if (earlier !== undefined) {
        yield* Deferred.succeed(reply, messageToJson(earlier))
        return state
      }
    }
    const now = yield* nowIso
    const window = checkWindow(conversation.channel, conversation.windowExpiresAt, command.content.type, now)
    if (!window.ok) {
      yield* Deferred.fail(reply, new SendRefused({ code: "window_closed", status: 422, message: window.message }))
      return state
    }
    const template = command.content.type === "template"
      ? yield* deps.templates.find(command.content.template.name, command.content.template.language)
      : undefined
    if (command.content.type === "template") {
      const refusal = checkTemplate(template, command.content.template)
      if (refusal !== undefined) {
        yield* Deferred.fail(reply, refusal)
        return state
      }
    }
    const contact = (yield* store.contact(state.contactId))!
    const described = describe(command.content, template)
    const row: MessageRow = {
      seq: 0, id: newMessageId(), conversationId: conversation.id, direction: "outbound", type: command.content.type,
      dedupeKey: null, providerMessageId: null, createdAt: now, status: "queued", text: described.text,
      replyTo: command.replyTo, content: described.content, error: null, flags: [...(command.flags ?? [])],
      idempotencyKey: command.idempotencyKey, author: command.author
    }
    if (command.sender !== undefined) row.content = { ...row.content, sender: command.sender }
    const request: OutboundRequest = {
      channelAccountId: conversation.channelAccountId,
      to: { waId: contact.waId, userId: contact.userId },
      content: command.content,
      replyTo: command.replyTo,
      trackingId: row.id,
      ...(window.tag === null ? {} : { tag: window.tag })
    }
    const byLoket = command.flags?.includes("auto") === true || command.sender?.kind === "loket"
    // An agent's reply takes an unassigned conversation (as Chatwoot does); any reply but Loket's own marks it read.
    // Only a member of the conversation's team takes it (the same rule as assigning).
    const takes = command.sender?.kind === "agent" && conversation.assignee === null &&
      (conversation.team === null || (yield* deps.database.one((db, t) => db.select({ agentId: t.teamMembers.agentId }).from(t.teamMembers)
        .where(and(eq(t.teamMembers.teamId, conversation.team!), eq(t.teamMembers.agentId, command.sender!.id))))) !== undefined)
    const next = {
      ...conversation,
      lastMessageAt: now > conversation.lastMessageAt ? now : conversation.lastMessageAt,
      lastOutboundAt: now,
      unreadCount: byLoket ? conversation.unreadCount : 0,
      assignee: takes ? command.sender!.id : conversation.assignee
    }
    const seq = yield* deps.database.transaction(Effect.gen(function*() {
      const inserted = (yield* store.insertMessage(row))!
      yield* store.insertOutbox({
        messageId: row.id, conversationId: conversation.id, channel: conversation.channel, channelAccountId: conversation.channelAccountId,
        contactId: state.contactId, request, state: "pending", attempts: 0, notBefore: now, createdAt: now
      })
      yield* store.updateConversation(next)
      if (takes) {
        yield* deps.audit({
          actor: { kind: "agent", id: command.sender!.id, name: command.sender!.name ?? "" }, action: "conversation.assign",
          target: `conversation:${conversation.id}`, before: { team: conversation.team, assignee: null }, after: { team: conversation.team, assignee: next.assignee }
        })
      }
      return inserted
    }))
    yield* deps.database.committed()
    const message = messageToJson({ ...row, seq })
    deps.wakeOutbox()
    const view = conversationToJson(next, contact, Date.parse(now))
    yield* deps.publish([
      { type: "message.created", data: message },
      { type: "conversation.updated", data: view },
      ...(takes ? [{ type: "conversation.assigned" as const, data: view }] : [])
    ])
    yield* Deferred.succeed(reply, message)
    return { ...state, conversation: next }
  })

/** The provider took the message: bind its id, apply statuses that came before, settle the outbox. */
export const onSent = (deps: ActorDeps, state: ConversationState, messageId: string, providerMessageId: string) =>
  Effect.gen(function*() {
    const { store } = deps
    const updated = yield* deps.database.transaction(Effect.gen(function*() {
      const target = yield* store.messageById(messageId)
      if (target === undefined) return undefined
      let next = applyDelivery(target, "sent", null, providerMessageId) ?? target
      for (const orphan of yield* store.takeOrphanStatuses(providerMessageId)) {
        next = applyDelivery(next, toMessageStatus(orphan.status as DeliveryStatus), orphan.error ?? null, null) ?? next
      }
      yield* store.settleOutbox(messageId, "sent", null)
      if (next === target) return undefined
      yield* store.updateMessageDelivery(next)
      return next
    }))
    yield* deps.database.committed()
    if (updated !== undefined) yield* deps.publish([{ type: "message.updated", data: messageToJson(updated) }])
    return state
  })

/** The provider refused for good: the agent sees `failed` with Meta's code and title. */
export const onSendFailed = (deps: ActorDeps, state: ConversationState, messageId: string, error: MessageError) =>
  Effect.gen(function*() {
    const { store } = deps
    const updated = yield* deps.database.transaction(Effect.gen(function*() {
      const target = yield* store.messageById(messageId)
      if (target === undefined) return undefined
      yield* store.settleOutbox(messageId, "failed", `${error.code}: ${error.title}`)
      const next = applyDelivery(target, "failed", error, null)
      if (next !== undefined) yield* store.updateMessageDelivery(next)
      return next
    }))
    yield* deps.database.committed()
    if (updated !== undefined) yield* deps.publish([{ type: "message.updated", data: messageToJson(updated) }])
    return state
  })
