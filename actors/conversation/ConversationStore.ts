/** The conversation actor's queries, prepared once. */
import { and, eq, sql } from "drizzle-orm"
import type { DatabaseShape } from "../../drizzle/Database.ts"
import { type ContactRow, contacts, type ConversationRow, conversations, type MessageRow, messages, orphanStatuses } from "../../drizzle/schema.ts"

export function makeConversationStore({ db }: DatabaseShape) {
  const find = db.select().from(conversations).where(and(
    eq(conversations.channel, sql.placeholder("channel")),
    eq(conversations.channelAccountId, sql.placeholder("account")),
    eq(conversations.contactId, sql.placeholder("contact"))
  )).prepare()
  const contact = db.select().from(contacts).where(eq(contacts.id, sql.placeholder("id"))).prepare()
  const byProviderId = db.select().from(messages).where(eq(messages.providerMessageId, sql.placeholder("id"))).limit(1).prepare()

  return {
    find: (channel: string, account: string, contactId: string) =>
      find.get({ channel, account, contact: contactId }) as ConversationRow | undefined,
    contact: (id: string) => contact.get({ id }) as ContactRow | undefined,
    insertConversation: (row: ConversationRow) => db.insert(conversations).values(row).run(),
    updateConversation: (row: ConversationRow) =>
      db.update(conversations).set({
        status: row.status, lastMessageAt: row.lastMessageAt, windowExpiresAt: row.windowExpiresAt,
        team: row.team, assignee: row.assignee
      }).where(eq(conversations.id, row.id)).run(),
    /** Inserts unless the dedupe key is known; returns the new row's seq, or undefined for a duplicate. */
    insertMessage: (row: MessageRow): number | undefined => {
      const { seq: _seq, ...values } = row
      const inserted = db.insert(messages).values(values).onConflictDoNothing({ target: messages.dedupeKey })
        .returning({ seq: messages.seq }).get()
      return inserted?.seq
    },
    messageByProviderId: (id: string) => byProviderId.get({ id }) as MessageRow | undefined,
    updateMessageStatus: (row: MessageRow) =>
      db.update(messages).set({ status: row.status, error: row.error }).where(eq(messages.seq, row.seq)).run(),
    insertOrphanStatus: (key: string, providerMessageId: string, status: string, timestamp: string, error: MessageRow["error"]) =>
      db.insert(orphanStatuses).values({ key, providerMessageId, status, timestamp, error }).onConflictDoNothing().run()
  }
}
