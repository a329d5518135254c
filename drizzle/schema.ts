/**
 * The one schema module (SQLite dialect). Migrations under drizzle/migrations are generated
 * from it with `npm run db:generate` and applied at start.
 * Times are ISO 8601 strings in UTC (`Date#toISOString`, so they sort as text).
 */
import { sql } from "drizzle-orm"
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core"

/** A resident as one channel knows them. One resident stays one contact when an id changes. */
export const contacts = sqliteTable("contacts", {
  id: text("id").primaryKey(),
  channel: text("channel").notNull(),
  /** How the channel addresses the resident (WhatsApp: wa_id, else the BSUID). */
  handle: text("handle").notNull(),
  waId: text("wa_id"),
  userId: text("user_id"),
  name: text("name"),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull()
}, (t) => [
  uniqueIndex("contacts_channel_wa_id").on(t.channel, t.waId),
  uniqueIndex("contacts_channel_user_id").on(t.channel, t.userId)
])

/** One conversation per channel account (WhatsApp: phone_number_id) and resident. */
export const conversations = sqliteTable("conversations", {
  id: text("id").primaryKey(),
  channel: text("channel").notNull(),
  channelAccountId: text("channel_account_id").notNull(),
  contactId: text("contact_id").notNull().references(() => contacts.id),
  status: text("status", { enum: ["open", "closed"] }).notNull(),
  team: text("team"),
  assignee: text("assignee"),
  createdAt: text("created_at").notNull(),
  lastMessageAt: text("last_message_at").notNull(),
  /** Provider timestamp of the resident's last message + 24 h; null before the first inbound. */
  windowExpiresAt: text("window_expires_at")
}, (t) => [
  uniqueIndex("conversations_account_contact").on(t.channel, t.channelAccountId, t.contactId),
  index("conversations_activity").on(t.lastMessageAt, t.id)
])

export const messages = sqliteTable("messages", {
  /** Insertion order; the public id stays opaque. */
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  id: text("id").notNull().unique(),
  conversationId: text("conversation_id").notNull().references(() => conversations.id),
  direction: text("direction", { enum: ["inbound", "outbound"] }).notNull(),
  type: text("type").notNull(),
  /** `<channel>:msg:<provider id>` for inbound messages: absorbs redeliveries. */
  dedupeKey: text("dedupe_key").unique(),
  providerMessageId: text("provider_message_id"),
  createdAt: text("created_at").notNull(),
  status: text("status").notNull(),
  text: text("text"),
  replyTo: text("reply_to"),
  /** The type-specific parts of the contract's Message (media, location, reaction, …) as JSON. */
  content: text("content", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  error: text("error", { mode: "json" }).$type<{ code: number | string; title: string }>(),
  flags: text("flags", { mode: "json" }).$type<Array<string>>().notNull().default(sql`'[]'`)
}, (t) => [
  index("messages_conversation").on(t.conversationId, t.createdAt, t.seq),
  index("messages_provider_id").on(t.providerMessageId)
])

/**
 * The durable inbox: every canonical event a webhook brought, committed before the 2xx.
 * `key` is the idempotency key; rows stay at least 7 days so Meta's redeliveries are absorbed.
 */
export const inbox = sqliteTable("inbox", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  key: text("key").notNull().unique(),
  channel: text("channel").notNull(),
  kind: text("kind").notNull(),
  payload: text("payload", { mode: "json" }).$type<unknown>().notNull(),
  receivedAt: text("received_at").notNull(),
  state: text("state", { enum: ["pending", "done", "parked"] }).notNull(),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
  processedAt: text("processed_at")
}, (t) => [
  index("inbox_state").on(t.state, t.seq),
  index("inbox_received").on(t.receivedAt)
])

/** Delivery statuses for outbound messages we do not know (yet): applied when the message appears. */
export const orphanStatuses = sqliteTable("orphan_statuses", {
  key: text("key").primaryKey(),
  providerMessageId: text("provider_message_id").notNull(),
  status: text("status").notNull(),
  timestamp: text("timestamp").notNull(),
  error: text("error", { mode: "json" }).$type<{ code: number | string; title: string }>()
}, (t) => [index("orphan_statuses_message").on(t.providerMessageId)])

/** Bearer tokens for the agent API, stored as SHA-256 hashes. */
export const apiTokens = sqliteTable("api_tokens", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull().unique(),
  role: text("role", { enum: ["admin", "agent"] }).notNull(),
  name: text("name").notNull(),
  createdAt: text("created_at").notNull()
})

export type ContactRow = typeof contacts.$inferSelect
export type ConversationRow = typeof conversations.$inferSelect
export type MessageRow = typeof messages.$inferSelect
export type InboxRow = typeof inbox.$inferSelect
export type ApiTokenRow = typeof apiTokens.$inferSelect
