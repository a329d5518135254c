/**
 * Loket's own messages to a resident (the personal-data warning; out-of-hours and receipt
 * replies use the same writer): an outbound text flagged `auto`, author `loket`, written with
 * its outbox row inside the caller's transaction — so it is durable exactly when the inbound
 * message that caused it is, and sent once by the dispatcher like an agent's reply.
 * Only within the channel's messaging window (WhatsApp: 24 h after the resident's last message;
 * Telegram: always). It does not touch `windowExpiresAt` (only a resident opens the window) nor `lastOutboundAt`
 * (an automatic message is no agent's answer: the window-closing warning still comes).
 */
import { Effect } from "effect"
import { newMessageId } from "../../domain/ids.ts"
import type { OutboundContent, OutboundRequest } from "../../domain/Outbound.ts"
import type { ContactRow, ConversationRow, MessageRow } from "../../drizzle/schema.ts"
import type { ActorDeps } from "./deps.ts"
import { checkWindow } from "./window-rule.ts"

export const AUTO_FLAG = "auto"
export const LOKET_AUTHOR = "loket"
/** The contract's `Message.sender` of Loket's own messages. */
export const LOKET_SENDER = { kind: "loket", id: "loket", name: "Loket" } as const

export interface AutoMessage {
  readonly text: string
  /** More flags beside `auto` (e.g. what the message is for). */
  readonly flags?: ReadonlyArray<string>
}

/**
 * Writes `message` as an outbound text in `conversation`, with its outbox row, when the
 * channel's messaging window lets a text go now (else nothing: undefined). Call it inside
 * `deps.database.transaction`; after the commit call `deps.wakeOutbox()` and publish the
 * returned row's `message.created`.
 */
export const writeAutoMessage = (deps: ActorDeps, conversation: ConversationRow, contact: ContactRow, message: AutoMessage, now: string) =>
  Effect.gen(function*() {
    // A send that needs a message tag (Messenger's HUMAN_AGENT after its window) is no automatic one.
    const window = checkWindow(conversation.channel, conversation.windowExpiresAt, "text", now)
    if (!window.ok || window.tag !== null) return undefined
    const row: MessageRow = {
      seq: 0, id: newMessageId(), conversationId: conversation.id, direction: "outbound", type: "text",
      dedupeKey: null, providerMessageId: null, createdAt: now, status: "queued", text: message.text,
      replyTo: null, content: { sender: LOKET_SENDER }, error: null, flags: [AUTO_FLAG, ...(message.flags ?? [])],
      idempotencyKey: null, author: LOKET_AUTHOR
    }
    return yield* queueLoketMessage(deps, conversation, contact, row, { type: "text", text: message.text, previewUrl: false }, now)
  })

/**
 * Writes one of Loket's own outbound messages (`row`, queued) with its outbox entry for `content`,
 * inside the caller's transaction: the dispatcher sends it once, like an agent's reply.
 */
export const queueLoketMessage = (
  deps: ActorDeps,
  conversation: ConversationRow,
  contact: ContactRow,
  row: MessageRow,
  content: OutboundContent,
  now: string
) =>
  Effect.gen(function*() {
    const request: OutboundRequest = {
      channelAccountId: conversation.channelAccountId,
      to: { waId: contact.waId, userId: contact.userId },
      content,
      replyTo: null,
      trackingId: row.id
    }
    const seq = (yield* deps.store.insertMessage(row))!
    yield* deps.store.insertOutbox({
      messageId: row.id, conversationId: conversation.id, channel: conversation.channel, channelAccountId: conversation.channelAccountId,
      contactId: conversation.contactId, request, state: "pending", attempts: 0, notBefore: now, createdAt: now
    })
    return { ...row, seq }
  })
