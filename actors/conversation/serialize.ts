/**
 * Rows ↔ the contract's JSON. The type-specific parts of a message live in one JSON column
 * (`content`), so adding a field to `Message` needs no migration.
 */
import type { Conversation } from "../../domain/Conversation.ts"
import type { InboundMessageBody } from "../../domain/InboundEvent.ts"
import type { Message } from "../../domain/Message.ts"
import type { ContactRow, ConversationRow, MessageRow } from "../../drizzle/schema.ts"
import { type AgentView, CLEAR_VIEW, hidesSomething, renderStored, type StoredSafety } from "../safety/agent-view.ts"
import { lastInboundOf } from "./window-rule.ts"

/** The Message fields kept in `messages.content`. */
const CONTENT_FIELDS = ["media", "location", "reaction", "reply", "forwarded", "contacts", "referral", "flow", "order", "system"] as const

const HOUR_MS = 60 * 60 * 1000

export function contentOf(body: InboundMessageBody): Record<string, unknown> {
  const content: Record<string, unknown> = {}
  for (const field of CONTENT_FIELDS) {
    const value = body[field]
    if (value !== null && value !== undefined) content[field] = value
  }
  return content
}

/**
 * The contract's Message. `view` decides what agents see of a resident's message: `text` (and a
 * reply's title) masked when personal data is masked for agents, and `textSafe` — what every
 * agent-facing output shows — masked and, in `neutralize` mode, with links defanged.
 */
export function messageToJson(row: MessageRow, view: AgentView = CLEAR_VIEW): Message {
  const c = row.content as Record<string, any>
  const safety = c.safety as StoredSafety | undefined
  const masked = { mask: view.mask, neutralize: false }
  const reply = c.reply ?? null
  return {
    id: row.id,
    conversationId: row.conversationId,
    direction: row.direction,
    type: row.type as Message["type"],
    providerMessageId: row.providerMessageId,
    createdAt: row.createdAt,
    text: renderStored(row.text, safety?.text, masked),
    media: c.media ?? null,
    location: c.location ?? null,
    reaction: c.reaction ?? null,
    reply: reply === null || safety?.replyTitle === undefined ? reply : { ...reply, title: renderStored(reply.title, safety.replyTitle, view) },
    replyTo: row.replyTo,
    status: row.status as Message["status"],
    error: row.error ?? null,
    flags: row.flags,
    forwarded: c.forwarded ?? null,
    contacts: c.contacts ?? null,
    referral: c.referral ?? null,
    flow: c.flow == null || safety?.flowResponse === undefined ? (c.flow ?? null) : { ...c.flow, responseJson: renderStored(c.flow.responseJson, safety.flowResponse, masked) },
    order: c.order ?? null,
    system: c.system ?? null,
    template: c.template ?? null,
    interactive: c.interactive ?? null,
    author: row.author,
    sender: c.sender ?? null,
    textSafe: renderStored(row.text, safety?.text, view),
    masked: hidesSomething(safety, view)
  }
}

/**
 * The window closes within the hour and no agent answered after the resident's last message
 * (that message's time is the window's end minus 24 h).
 */
export function windowClosingSoon(row: ConversationRow, now: number): boolean {
  if (row.windowExpiresAt === null) return false
  const end = Date.parse(row.windowExpiresAt)
  if (end <= now || end - now > HOUR_MS) return false
  const lastInbound = lastInboundOf(row.channel, row.windowExpiresAt)
  return row.lastOutboundAt === null || row.lastOutboundAt < lastInbound
}

export function conversationToJson(row: ConversationRow, contact: ContactRow, now: number): Conversation {
  return {
    id: row.id,
    channel: row.channel as Conversation["channel"],
    channelAccountId: row.channelAccountId,
    contact: { id: contact.id, handle: contact.handle, name: contact.name, userId: contact.userId },
    status: row.status,
    team: row.team,
    assignee: row.assignee,
    createdAt: row.createdAt,
    lastMessageAt: row.lastMessageAt,
    windowExpiresAt: row.windowExpiresAt,
    windowClosingSoon: windowClosingSoon(row, now),
    unreadCount: row.unreadCount,
    waitingSince: row.waitingSince
  }
}
