/**
 * The one schema module (SQLite dialect). Migrations under drizzle/migrations are generated
 * from it with `npm run db:generate` and applied at start.
 * Times are ISO 8601 strings in UTC (`Date#toISOString`, so they sort as text).
 */
import { sql } from "drizzle-orm"
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core"

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
  updatedAt: text("updated_at").notNull(),
  /**
   * The resident this contact is linked to across channels by an agent (docs/contacts.md, "Linked
   * contacts"): contacts sharing a resident id are one person; null: linked to none.
   */
  residentId: text("resident_id")
}, (t) => [
  uniqueIndex("contacts_channel_wa_id").on(t.channel, t.waId),
  uniqueIndex("contacts_channel_user_id").on(t.channel, t.userId),
  index("contacts_resident").on(t.residentId)
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
  windowExpiresAt: text("window_expires_at"),
  /** When an agent (or Loket) last sent something: a window warning is due only when none came after the resident. */
  lastOutboundAt: text("last_outbound_at"),
  /** The `windowExpiresAt` agents were warned about (once per window). */
  windowWarnedFor: text("window_warned_for"),
  /** The resident's messages since an agent last acted on the conversation (reply, note, assign, close). */
  unreadCount: integer("unread_count").notNull().default(0),
  /** When the resident was warned not to send personal data here (once per conversation; null: not yet). */
  personalDataWarnedAt: text("personal_data_warned_at"),
  /**
   * The playbook's queue order: when the resident's oldest message that no agent has answered yet
   * arrived (provider time); null once an agent answers. Oldest first is first in the queue.
   */
  waitingSince: text("waiting_since"),
  /** The office-hours period (closed: the next opening's instant) Loket last sent its own reply for: one per period. */
  autoRepliedFor: text("auto_replied_for")
}, (t) => [
  uniqueIndex("conversations_account_contact").on(t.channel, t.channelAccountId, t.contactId),
  index("conversations_activity").on(t.lastMessageAt, t.id),
  index("conversations_team").on(t.team, t.lastMessageAt, t.id),
  index("conversations_assignee").on(t.assignee, t.lastMessageAt, t.id),
  index("conversations_contact").on(t.contactId),
  index("conversations_waiting").on(t.waitingSince, t.id)
])

export const messages = sqliteTable("messages", {
  /** Insertion order; the public id stays opaque. */
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  id: text("id").notNull().unique(),
  conversationId: text("conversation_id").notNull().references(() => conversations.id),
  direction: text("direction", { enum: ["inbound", "outbound", "internal"] }).notNull(),
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
  flags: text("flags", { mode: "json" }).$type<Array<string>>().notNull().default(sql`'[]'`),
  /** Outbound: the agent's Idempotency-Key; the same key answers the same message. */
  idempotencyKey: text("idempotency_key"),
  /** Outbound: who sent it (API token name). */
  author: text("author")
}, (t) => [
  index("messages_conversation").on(t.conversationId, t.createdAt, t.seq),
  index("messages_provider_id").on(t.providerMessageId),
  uniqueIndex("messages_idempotency").on(t.conversationId, t.idempotencyKey)
])

/**
 * Outbound sends waiting for, or in, delivery to the provider: written in the same transaction
 * as the message, so a reply accepted before a crash is sent after the restart.
 * States: pending → sending → sent | failed; `sending` found at start becomes `unconfirmed`
 * until a status webhook (carrying the tracking id) confirms it, else it is sent again.
 */
export const outbox = sqliteTable("outbox", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  messageId: text("message_id").notNull().unique().references(() => messages.id),
  conversationId: text("conversation_id").notNull(),
  channel: text("channel").notNull(),
  channelAccountId: text("channel_account_id").notNull(),
  /** Which resident: the rate limit per pair. */
  contactId: text("contact_id").notNull(),
  request: text("request", { mode: "json" }).$type<unknown>().notNull(),
  state: text("state", { enum: ["pending", "sending", "unconfirmed", "sent", "failed"] }).notNull(),
  attempts: integer("attempts").notNull().default(0),
  /** ISO time before which the row is not tried (backoff, confirmation wait). */
  notBefore: text("not_before").notNull(),
  lastError: text("last_error"),
  createdAt: text("created_at").notNull(),
  sentAt: text("sent_at")
}, (t) => [index("outbox_due").on(t.state, t.notBefore, t.seq)])

/** Message templates of the WhatsApp Business Account, synced from the Graph API. */
export const templates = sqliteTable("templates", {
  id: text("id").notNull(),
  accountId: text("account_id").notNull(),
  name: text("name").notNull(),
  language: text("language").notNull(),
  status: text("status").notNull(),
  category: text("category"),
  components: text("components", { mode: "json" }).$type<unknown>(),
  /** `{{n}}` placeholders per part: a send must fill each one. */
  parameterCounts: text("parameter_counts", { mode: "json" }).$type<{ header: number; body: number; buttons: number }>(),
  updatedAt: text("updated_at").notNull()
}, (t) => [uniqueIndex("templates_name_language").on(t.accountId, t.name, t.language)])

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
/** A person of the klantcontactcentrum. E-mail is stored lower-cased, so it is unique case-insensitively. */
export const agents = sqliteTable("agents", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  role: text("role", { enum: ["admin", "agent"] }).notNull(),
  /** `scrypt$N$r$p$salt$hash` (actors/people/password.ts), or null: no console password. */
  passwordHash: text("password_hash"),
  active: integer("active").notNull().default(1),
  createdAt: text("created_at").notNull(),
  deactivatedAt: text("deactivated_at")
})

/** A vakteam: agents who take a kind of question. Names are unique. */
export const teams = sqliteTable("teams", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  createdAt: text("created_at").notNull()
})

export const teamMembers = sqliteTable("team_members", {
  teamId: text("team_id").notNull().references(() => teams.id, { onDelete: "cascade" }),
  agentId: text("agent_id").notNull().references(() => agents.id, { onDelete: "cascade" }),
}, (t) => [
  primaryKey({ columns: [t.teamId, t.agentId] }),
  index("team_members_agent").on(t.agentId)
])

/**
 * Bearer tokens, stored as SHA-256 hashes. `origin`: `env` (LOKET_ADMIN_TOKEN), `generated`
 * (printed at a first start without it), `api` (POST /api/v1/tokens). A revoked token keeps
 * its row (for the list) with `revoked_at` set; only rows without it are accepted.
 */
export const apiTokens = sqliteTable("api_tokens", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull().unique(),
  role: text("role", { enum: ["admin", "agent"] }).notNull(),
  name: text("name").notNull(),
  createdAt: text("created_at").notNull(),
  origin: text("origin", { enum: ["env", "generated", "api"] }).notNull().default("api"),
  agentId: text("agent_id").references(() => agents.id),
  revokedAt: text("revoked_at")
}, (t) => [index("api_tokens_agent").on(t.agentId)])

/**
 * Cluster mode's fencing tokens: per partition, the highest lease token that has written. A
 * transaction of an instance whose lease is older finds a higher token here and fails, so a
 * deposed owner can never write after its successor (unused in embedded mode).
 */
export const partitionFences = sqliteTable("partition_fences", {
  partition: integer("partition").notNull(),
  token: integer("token").notNull()
}, (t) => [primaryKey({ columns: [t.partition] })])

/**
 * Campaign links on posters and letters (`GET /r/:id` counts a scan and redirects to wa.me with
 * the campaign's text). Only counts: no IP address, no cookie, nothing about the resident.
 */
export const widgetCampaigns = sqliteTable("widget_campaigns", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** The prefilled text; null: the widget's general text. */
  text: text("text"),
  scans: integer("scans").notNull().default(0),
  lastScanAt: text("last_scan_at"),
  /** Meta's managed QR code (`wa.me/message/<code>`), kept in sync with `text`; null: none. */
  managedQrCode: text("managed_qr_code"),
  managedQrLink: text("managed_qr_link"),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull()
})

/**
 * The municipality's settings document (domain/settings): one row, id "current". `document` holds what
 * an admin set (keys left out take their defaults); `version` grows by one with every change.
 */
export const settings = sqliteTable("settings", {
  id: text("id").primaryKey(),
  document: text("document", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  version: integer("version").notNull(),
  updatedAt: text("updated_at").notNull(),
  updatedBy: text("updated_by").notNull()
})

/** Every admin action (settings changes, tokens, agents, reveals of personal data…): who, when, before and after. */
export const auditLog = sqliteTable("audit_log", {
  id: text("id").primaryKey(),
  at: text("at").notNull(),
  actorKind: text("actor_kind").notNull(),
  actorId: text("actor_id").notNull(),
  actorName: text("actor_name").notNull(),
  action: text("action").notNull(),
  target: text("target").notNull(),
  before: text("before", { mode: "json" }).$type<unknown>(),
  after: text("after", { mode: "json" }).$type<unknown>()
}, (t) => [index("audit_log_at").on(t.at, t.id)])

/**
 * Console sign-in sessions (gateway/console). The cookie carries a random secret; only its
 * SHA-256 is stored (`secret_hash`). A session ends at `expires_at` (absolute lifetime), after
 * the idle lifetime without a request (`last_seen_at`), at logout or when its agent is
 * deactivated (`ended_at`). Every request looks its session up: no cache to invalidate.
 */
export const consoleSessions = sqliteTable("console_sessions", {
  id: text("id").primaryKey(),
  secretHash: text("secret_hash").notNull().unique(),
  agentId: text("agent_id").notNull().references(() => agents.id),
  createdAt: text("created_at").notNull(),
  lastSeenAt: text("last_seen_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  endedAt: text("ended_at")
}, (t) => [index("console_sessions_agent").on(t.agentId)])

/**
 * Failed console sign-ins (the sign-in throttle, actors/console/SignInThrottle.ts), shared by every
 * instance so a cluster gives no more attempts than one gateway. `key_hash` is the SHA-256 of
 * `email:<address>` or `address:<client address>`, never either in clear; rows older than the
 * throttle's window are deleted as new failures come in.
 */
export const signInFailures = sqliteTable("sign_in_failures", {
  id: text("id").primaryKey(),
  keyHash: text("key_hash").notNull(),
  failedAt: text("failed_at").notNull()
}, (t) => [index("sign_in_failures_key").on(t.keyHash, t.failedAt), index("sign_in_failures_at").on(t.failedAt)])

/**
 * Canned responses (snelle antwoorden) agents insert with a shortcut such as `/afval`; admins manage them.
 * `{{name}}` in `text` stands for the resident's name. Shortcuts are unique (stored lower-cased).
 */
export const cannedResponses = sqliteTable("canned_responses", {
  id: text("id").primaryKey(),
  shortcut: text("shortcut").notNull().unique(),
  title: text("title").notNull(),
  text: text("text").notNull(),
  language: text("language", { enum: ["nl", "en"] }).notNull(),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull()
})

/**
 * Durable timers of the playbook (actors/timers): stored in the actor's transaction, fired by the
 * leader's timer watch through the conversation's actor once due (late after a restart, never
 * twice: `state` leaves `pending` in the transaction that does the timer's work).
 * One row per conversation and kind (`follow-up`), re-armed in place. `outcome` says what firing did.
 */
export const timers = sqliteTable("timers", {
  id: text("id").primaryKey(),
  conversationId: text("conversation_id").notNull().references(() => conversations.id),
  kind: text("kind").notNull(),
  dueAt: text("due_at").notNull(),
  state: text("state", { enum: ["pending", "fired", "cancelled"] }).notNull(),
  outcome: text("outcome"),
  createdAt: text("created_at").notNull(),
  settledAt: text("settled_at")
}, (t) => [index("timers_due").on(t.state, t.dueAt)])

export type ContactRow = typeof contacts.$inferSelect
export type ConversationRow = typeof conversations.$inferSelect
export type MessageRow = typeof messages.$inferSelect
export type InboxRow = typeof inbox.$inferSelect
export type ApiTokenRow = typeof apiTokens.$inferSelect
export type AgentRow = typeof agents.$inferSelect
export type TeamRow = typeof teams.$inferSelect
export type OutboxRow = typeof outbox.$inferSelect
export type TemplateRow = typeof templates.$inferSelect
export type WidgetCampaignRow = typeof widgetCampaigns.$inferSelect
export type SettingsRow = typeof settings.$inferSelect
export type AuditLogRow = typeof auditLog.$inferSelect
export type ConsoleSessionRow = typeof consoleSessions.$inferSelect
export type SignInFailureRow = typeof signInFailures.$inferSelect
export type CannedResponseRow = typeof cannedResponses.$inferSelect
export type TimerRow = typeof timers.$inferSelect
