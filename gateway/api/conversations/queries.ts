/** The read side of conversations and messages: plain queries, outside the actors (reads never write). */
import { and, asc, desc, eq, gt, inArray, lt, or, type SQL } from "drizzle-orm"
import { conversationToJson, messageToJson } from "../../../actors/conversation/serialize.ts"
import type { Conversation } from "../../../domain/Conversation.ts"
import type { Message } from "../../../domain/Message.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import { contacts, conversations, messages } from "../../../drizzle/schema.ts"
import { decodeCursor, encodeCursor } from "../cursor.ts"

export interface Page<T> {
  readonly items: ReadonlyArray<T>
  readonly nextCursor: string | null
}

export class InvalidCursor extends Error {}

export function makeConversationQueries({ db }: DatabaseShape) {
  const withContacts = (rows: Array<typeof conversations.$inferSelect>): Array<Conversation> => {
    if (rows.length === 0) return []
    const people = db.select().from(contacts).where(inArray(contacts.id, [...new Set(rows.map((r) => r.contactId))])).all()
    const byId = new Map(people.map((p) => [p.id, p]))
    return rows.map((row) => conversationToJson(row, byId.get(row.contactId)!))
  }

  const list = (q: { status: "open" | "closed" | "all"; channel?: string | undefined; limit: number; cursor?: string | undefined }): Page<Conversation> => {
    const where: Array<SQL | undefined> = []
    if (q.status !== "all") where.push(eq(conversations.status, q.status))
    if (q.channel !== undefined) where.push(eq(conversations.channel, q.channel))
    if (q.cursor !== undefined) {
      const after = decodeCursor(q.cursor, ["string", "string"] as const)
      if (after === undefined) throw new InvalidCursor()
      const [at, id] = after as [string, string]
      where.push(or(lt(conversations.lastMessageAt, at), and(eq(conversations.lastMessageAt, at), lt(conversations.id, id))))
    }
    const rows = db.select().from(conversations).where(and(...where))
      .orderBy(desc(conversations.lastMessageAt), desc(conversations.id)).limit(q.limit + 1).all()
    const more = rows.length > q.limit
    const page = rows.slice(0, q.limit)
    const last = page[page.length - 1]
    return { items: withContacts(page), nextCursor: more && last ? encodeCursor([last.lastMessageAt, last.id]) : null }
  }

  const get = (id: string): Conversation | undefined => {
    const row = db.select().from(conversations).where(eq(conversations.id, id)).get()
    return row === undefined ? undefined : withContacts([row])[0]
  }

  const messagesOf = (conversationId: string, q: { limit: number; cursor?: string | undefined }): Page<Message> => {
    const where: Array<SQL | undefined> = [eq(messages.conversationId, conversationId)]
    if (q.cursor !== undefined) {
      const after = decodeCursor(q.cursor, ["string", "number"] as const)
      if (after === undefined) throw new InvalidCursor()
      const [at, seq] = after as [string, number]
      where.push(or(gt(messages.createdAt, at), and(eq(messages.createdAt, at), gt(messages.seq, seq))))
    }
    const rows = db.select().from(messages).where(and(...where))
      .orderBy(asc(messages.createdAt), asc(messages.seq)).limit(q.limit + 1).all()
    const more = rows.length > q.limit
    const page = rows.slice(0, q.limit)
    const last = page[page.length - 1]
    return { items: page.map(messageToJson), nextCursor: more && last ? encodeCursor([last.createdAt, last.seq]) : null }
  }

  return { list, get, messagesOf }
}
