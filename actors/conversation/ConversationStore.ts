/** The conversation actor's queries, prepared once where they are hot. */
import { nowIso } from "../../domain/time.ts"
import { and, eq, sql } from "drizzle-orm"
import { Effect } from "effect"
import type { DatabaseShape, DatabaseUnavailable } from "../../drizzle/Database.ts"
import type { ContactRow, ConversationRow, MessageRow, orphanStatuses, outbox } from "../../drizzle/schema.ts"

const p = sql.placeholder
type Q<A> = Effect.Effect<A, DatabaseUnavailable>
type OrphanRow = typeof orphanStatuses.$inferSelect

export function makeConversationStore(database: DatabaseShape) {
  const prepare = database.prepare
  const find = prepare.one((db, t) => db.select().from(t.conversations).where(and(
    eq(t.conversations.channel, p("channel")), eq(t.conversations.channelAccountId, p("account")), eq(t.conversations.contactId, p("contact"))
  )))
  const contact = prepare.one((db, t) => db.select().from(t.contacts).where(eq(t.contacts.id, p("id"))))
  const byProviderId = prepare.one((db, t) => db.select().from(t.messages).where(eq(t.messages.providerMessageId, p("id"))).limit(1))
  const byId = prepare.one((db, t) => db.select().from(t.messages).where(eq(t.messages.id, p("id"))))
  const insertMessage = prepare.one((db, t) => db.insert(t.messages).values({
    id: p("id"), conversationId: p("conversationId"), direction: p("direction"),
    type: p("type"), dedupeKey: p("dedupeKey"), providerMessageId: p("providerMessageId"),
    createdAt: p("createdAt"), status: p("status"), text: p("text"),
    replyTo: p("replyTo"), content: p("content"), error: p("error"),
    flags: p("flags"), idempotencyKey: p("idempotencyKey"), author: p("author")
  }).onConflictDoNothing({ target: t.messages.dedupeKey }).returning({ seq: t.messages.seq }))
  const insertConversation = prepare.run((db, t) => db.insert(t.conversations).values({
    id: p("id"), channel: p("channel"), channelAccountId: p("channelAccountId"),
    contactId: p("contactId"), status: p("status"), team: p("team"),
    assignee: p("assignee"), createdAt: p("createdAt"), lastMessageAt: p("lastMessageAt"),
    windowExpiresAt: p("windowExpiresAt"), lastOutboundAt: p("lastOutboundAt"),
    windowWarnedFor: p("windowWarnedFor"), unreadCount: p("unreadCount")
  }))
  const byIdempotencyKey = prepare.one((db, t) => db.select().from(t.messages)
    .where(and(eq(t.messages.conversationId, p("conversationId")), eq(t.messages.idempotencyKey, p("key")))))
  const updateDelivery = prepare.run((db, t) => db.update(t.messages).set({
    status: sql`${p("status")}`, error: sql`${p("error")}`, providerMessageId: sql`${p("providerMessageId")}`
  }).where(eq(t.messages.seq, p("seq"))))
  const orphansOf = prepare.all((db, t) => db.select().from(t.orphanStatuses).where(eq(t.orphanStatuses.providerMessageId, p("id"))))
  const dropOrphans = prepare.run((db, t) => db.delete(t.orphanStatuses).where(eq(t.orphanStatuses.providerMessageId, p("id"))))
  const insertOrphan = prepare.run((db, t) => db.insert(t.orphanStatuses).values({
    key: p("key"), providerMessageId: p("providerMessageId"), status: p("status"), timestamp: p("timestamp"), error: p("error")
  }).onConflictDoNothing())
  const insertOutbox = prepare.run((db, t) => db.insert(t.outbox).values({
    messageId: p("messageId"), conversationId: p("conversationId"), channel: p("channel"),
    channelAccountId: p("channelAccountId"), contactId: p("contactId"), request: p("request"),
    state: p("state"), attempts: p("attempts"), notBefore: p("notBefore"),
    createdAt: p("createdAt")
  }))
  const settle = prepare.run((db, t) => db.update(t.outbox).set({
    state: sql`${p("state")}`, lastError: sql`${p("lastError")}`, sentAt: sql`${p("sentAt")}`
  }).where(and(eq(t.outbox.messageId, p("messageId")), sql`${t.outbox.state} in ('pending', 'sending', 'unconfirmed')`)))
  const updateConversation = prepare.run((db, t) => db.update(t.conversations).set({
    status: sql`${p("status")}`, lastMessageAt: sql`${p("lastMessageAt")}`,
    windowExpiresAt: sql`${p("windowExpiresAt")}`, team: sql`${p("team")}`,
    assignee: sql`${p("assignee")}`, lastOutboundAt: sql`${p("lastOutboundAt")}`,
    windowWarnedFor: sql`${p("windowWarnedFor")}`, unreadCount: sql`${p("unreadCount")}`
  }).where(eq(t.conversations.id, p("id"))))

  const hasMessages = prepare.one((db, t) => db.select({ seq: t.messages.seq }).from(t.messages).where(eq(t.messages.conversationId, p("id"))).limit(1))
  const deleteConversation = prepare.run((db, t) => db.delete(t.conversations).where(eq(t.conversations.id, p("id"))))

  return {
    /** Whether any message is left in the conversation. */
    hasMessages: (conversationId: string) => (hasMessages({ id: conversationId }) as Q<{ seq: number } | undefined>).pipe(Effect.map((row) => row !== undefined)),
    /** Removes a conversation with no message left (retention). */
    deleteConversation: (conversationId: string) => deleteConversation({ id: conversationId }),
    find: (channel: string, account: string, contactId: string) =>
      find({ channel, account, contact: contactId }) as Q<ConversationRow | undefined>,
    contact: (id: string) => contact({ id }) as Q<ContactRow | undefined>,
    insertConversation: (row: ConversationRow) => insertConversation(row as never),
    updateConversation: (row: ConversationRow) => updateConversation(row as never),
    /** Inserts unless the dedupe key is known; returns the new row's seq, or undefined for a duplicate. */
    insertMessage: (row: MessageRow) => {
      const { seq: _seq, ...values } = row
      return insertMessage(values).pipe(Effect.map((inserted) => (inserted as { seq: number } | undefined)?.seq))
    },
    messageByProviderId: (id: string) => byProviderId({ id }) as Q<MessageRow | undefined>,
    messageById: (id: string) => byId({ id }) as Q<MessageRow | undefined>,
    messageByIdempotencyKey: (conversationId: string, key: string) =>
      byIdempotencyKey({ conversationId, key }) as Q<MessageRow | undefined>,
    updateMessageDelivery: (row: MessageRow) =>
      updateDelivery({ status: row.status, error: row.error === null ? null : JSON.stringify(row.error), providerMessageId: row.providerMessageId, seq: row.seq }),
    insertOrphanStatus: (key: string, providerMessageId: string, status: string, timestamp: string, error: MessageRow["error"]) =>
      insertOrphan({ key, providerMessageId, status, timestamp, error }),
    /** Statuses that came before the message's provider id was known; removed as they are applied. */
    takeOrphanStatuses: (providerMessageId: string) =>
      (orphansOf({ id: providerMessageId }) as Q<Array<OrphanRow>>).pipe(
        Effect.tap((rows) => (rows.length > 0 ? dropOrphans({ id: providerMessageId }) : Effect.void))
      ),
    insertOutbox: (row: Omit<typeof outbox.$inferInsert, "seq" | "lastError" | "sentAt">) => insertOutbox(row as never),
    /** The send is settled: sent (confirmed by the provider's answer or a status) or failed for good. */
    settleOutbox: (messageId: string, state: "sent" | "failed", lastError: string | null) =>
      Effect.flatMap(nowIso, (now) => settle({ messageId, state, lastError, sentAt: state === "sent" ? now : null }))
  }
}

export type ConversationStore = ReturnType<typeof makeConversationStore>
