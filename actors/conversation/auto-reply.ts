/**
 * Loket's own messages to a resident (the personal-data warning; out-of-hours and receipt
 * replies use the same writer): an outbound text flagged `auto`, author `loket`, written with
 * its outbox row inside the caller's transaction — so it is durable exactly when the inbound
 * message that caused it is, and sent once by the dispatcher like an agent's reply.
 * It does not touch `windowExpiresAt` (only a resident opens the window) nor `lastOutboundAt`
 * (an automatic message is no agent's answer: the window-closing warning still comes).
 */
import { Effect } from "effect"
import { newMessageId } from "../../domain/ids.ts"
import type { OutboundRequest } from "../../domain/Outbound.ts"
import type { ContactRow, ConversationRow, MessageRow } from "../../drizzle/schema.ts"
import type { ActorDeps } from "./deps.ts"

export const AUTO_FLAG = "auto"
export const LOKET_AUTHOR = "loket"

export interface AutoMessage {
  readonly text: string
  /** More flags beside `auto` (e.g. what the message is for). */
  readonly flags?: ReadonlyArray<string>
}

/**
 * Writes `message` as an outbound text in `conversation`, with its outbox row. Call it inside
 * `deps.database.transaction`; after the commit call `deps.wakeOutbox()` and publish the
 * returned row's `message.created`.
 */
export const writeAutoMessage = (deps: ActorDeps, conversation: ConversationRow, contact: ContactRow, message: AutoMessage, now: string) =>
  Effect.gen(function*() {
    const row: MessageRow = {
      seq: 0, id: newMessageId(), conversationId: conversation.id, direction: "outbound", type: "text",
      dedupeKey: null, providerMessageId: null, createdAt: now, status: "queued", text: message.text,
      replyTo: null, content: {}, error: null, flags: [AUTO_FLAG, ...(message.flags ?? [])],
      idempotencyKey: null, author: LOKET_AUTHOR
    }
    const request: OutboundRequest = {
      channelAccountId: conversation.channelAccountId,
      to: { waId: contact.waId, userId: contact.userId },
      content: { type: "text", text: message.text, previewUrl: false },
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
