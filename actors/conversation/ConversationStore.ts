/** The conversation actor's queries, prepared once where they are hot. */
import { and, eq, sql } from "drizzle-orm"
import type { DatabaseShape } from "../../drizzle/Database.ts"
import {
  type ContactRow, contacts, type ConversationRow, conversations, type MessageRow, messages, orphanStatuses, outbox
} from "../../drizzle/schema.ts"

export function makeConversationStore({ db }: DatabaseShape) {
  const find = db.select().from(conversations).where(and(
    eq(conversations.channel, sql.placeholder("channel")),
    eq(conversations.channelAccountId, sql.placeholder("account")),
    eq(conversations.contactId, sql.placeholder("contact"))
  )).prepare()
  const contact = db.select().from(contacts).where(eq(contacts.id, sql.placeholder("id"))).prepare()
  const byProviderId = db.select().from(messages).where(eq(messages.providerMessageId, sql.placeholder("id"))).limit(1).prepare()
  const byId = db.select().from(messages).where(eq(messages.id, sql.placeholder("id"))).prepare()
  const insertMessage = db.insert(messages).values({
    id: sql.placeholder("id"), conversationId: sql.placeholder("conversationId"), direction: sql.placeholder("direction"),
    type: sql.placeholder("type"), dedupeKey: sql.placeholder("dedupeKey"), providerMessageId: sql.placeholder("providerMessageId"),
    createdAt: sql.placeholder("createdAt"), status: sql.placeholder("status"), text: sql.placeholder("text"),
    replyTo: sql.placeholder("replyTo"), content: sql.placeholder("content"), error: sql.placeholder("error"),
    flags: sql.placeholder("flags"), idempotencyKey: sql.placeholder("idempotencyKey"), author: sql.placeholder("author")
  }).onConflictDoNothing({ target: messages.dedupeKey }).returning({ seq: messages.seq }).prepare()
  const insertConversation = db.insert(conversations).values({
    id: sql.placeholder("id"), channel: sql.placeholder("channel"), channelAccountId: sql.placeholder("channelAccountId"),
    contactId: sql.placeholder("contactId"), status: sql.placeholder("status"), team: sql.placeholder("team"),
    assignee: sql.placeholder("assignee"), createdAt: sql.placeholder("createdAt"), lastMessageAt: sql.placeholder("lastMessageAt"),
    windowExpiresAt: sql.placeholder("windowExpiresAt"), lastOutboundAt: sql.placeholder("lastOutboundAt"),
    windowWarnedFor: sql.placeholder("windowWarnedFor")
  }).prepare()
  const byIdempotencyKey = db.select().from(messages)
    .where(and(eq(messages.conversationId, sql.placeholder("conversationId")), eq(messages.idempotencyKey, sql.placeholder("key")))).prepare()
  const updateDelivery = db.update(messages).set({
    status: sql`${sql.placeholder("status")}`, error: sql`${sql.placeholder("error")}`, providerMessageId: sql`${sql.placeholder("providerMessageId")}`
  }).where(eq(messages.seq, sql.placeholder("seq"))).prepare()
  const orphansOf = db.select().from(orphanStatuses).where(eq(orphanStatuses.providerMessageId, sql.placeholder("id"))).prepare()
  const dropOrphans = db.delete(orphanStatuses).where(eq(orphanStatuses.providerMessageId, sql.placeholder("id"))).prepare()
  const insertOutbox = db.insert(outbox).values({
    messageId: sql.placeholder("messageId"), conversationId: sql.placeholder("conversationId"), channel: sql.placeholder("channel"),
    channelAccountId: sql.placeholder("channelAccountId"), contactId: sql.placeholder("contactId"), request: sql.placeholder("request"),
    state: sql.placeholder("state"), attempts: sql.placeholder("attempts"), notBefore: sql.placeholder("notBefore"),
    createdAt: sql.placeholder("createdAt")
  }).prepare()
  const settle = db.update(outbox).set({
    state: sql`${sql.placeholder("state")}`, lastError: sql`${sql.placeholder("lastError")}`, sentAt: sql`${sql.placeholder("sentAt")}`
  }).where(and(eq(outbox.messageId, sql.placeholder("messageId")), sql`${outbox.state} in ('pending', 'sending', 'unconfirmed')`)).prepare()
  const updateConversation = db.update(conversations).set({
    status: sql`${sql.placeholder("status")}`, lastMessageAt: sql`${sql.placeholder("lastMessageAt")}`,
    windowExpiresAt: sql`${sql.placeholder("windowExpiresAt")}`, team: sql`${sql.placeholder("team")}`,
    assignee: sql`${sql.placeholder("assignee")}`, lastOutboundAt: sql`${sql.placeholder("lastOutboundAt")}`,
    windowWarnedFor: sql`${sql.placeholder("windowWarnedFor")}`
  }).where(eq(conversations.id, sql.placeholder("id"))).prepare()

  return {
    find: (channel: string, account: string, contactId: string) =>
      find.get({ channel, account, contact: contactId }) as ConversationRow | undefined,
    contact: (id: string) => contact.get({ id }) as ContactRow | undefined,
    insertConversation: (row: ConversationRow) => insertConversation.run(row),
    updateConversation: (row: ConversationRow) => updateConversation.run(row),
    /** Inserts unless the dedupe key is known; returns the new row's seq, or undefined for a duplicate. */
    insertMessage: (row: MessageRow): number | undefined => {
      const { seq: _seq, ...values } = row
      return (insertMessage.get(values) as { seq: number } | undefined)?.seq
    },
    messageByProviderId: (id: string) => byProviderId.get({ id }) as MessageRow | undefined,
    messageById: (id: string) => byId.get({ id }) as MessageRow | undefined,
    messageByIdempotencyKey: (conversationId: string, key: string) =>
      byIdempotencyKey.get({ conversationId, key }) as MessageRow | undefined,
    updateMessageDelivery: (row: MessageRow) =>
      updateDelivery.run({ status: row.status, error: row.error === null ? null : JSON.stringify(row.error), providerMessageId: row.providerMessageId, seq: row.seq }),
    insertOrphanStatus: (key: string, providerMessageId: string, status: string, timestamp: string, error: MessageRow["error"]) =>
      db.insert(orphanStatuses).values({ key, providerMessageId, status, timestamp, error }).onConflictDoNothing().run(),
    /** Statuses that came before the message's provider id was known; removed as they are applied. */
    takeOrphanStatuses: (providerMessageId: string) => {
      const rows = orphansOf.all({ id: providerMessageId }) as Array<typeof orphanStatuses.$inferSelect>
      if (rows.length > 0) dropOrphans.run({ id: providerMessageId })
      return rows
    },
    insertOutbox: (row: Omit<typeof outbox.$inferInsert, "seq" | "lastError" | "sentAt">) => insertOutbox.run(row),
    /** The send is settled: sent (confirmed by the provider's answer or a status) or failed for good. */
    settleOutbox: (messageId: string, state: "sent" | "failed", lastError: string | null) =>
      settle.run({ messageId, state, lastError, sentAt: state === "sent" ? new Date().toISOString() : null })
  }
}

export type ConversationStore = ReturnType<typeof makeConversationStore>
