/** The read side of conversations and messages: plain queries, outside the actors (reads never write). */
import { Effect } from "effect"
import { and, asc, desc, eq, gt, inArray, lt, or, type SQL } from "drizzle-orm"
import { conversationToJson, messageToJson } from "../../../actors/conversation/serialize.ts"
import { type AgentView, CLEAR_VIEW } from "../../../actors/safety/agent-view.ts"
import type { Conversation } from "../../../domain/Conversation.ts"
import type { Message } from "../../../domain/Message.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import type { conversations } from "../../../drizzle/schema.ts"
import { decodeCursor, encodeCursor } from "../cursor.ts"

export interface Page<T> {
  readonly items: ReadonlyArray<T>
  readonly nextCursor: string | null
}

export class InvalidCursor extends Error {}

export function makeConversationQueries(database: DatabaseShape) {
  const withContacts = async (rows: Array<typeof conversations.$inferSelect>): Promise<Array<Conversation>> => {
    if (rows.length === 0) return []
    const ids = [...new Set(rows.map((r) => r.contactId))]
    const people = await Effect.runPromise(database.all((db, t) => db.select().from(t.contacts).where(inArray(t.contacts.id, ids))))
    const byId = new Map(people.map((p) => [p.id, p]))
    // A conversation read just before a contact merge removed it (its contact is gone too): it no longer exists.
    return rows.flatMap((row) => {
      const contact = byId.get(row.contactId)
      return contact === undefined ? [] : [conversationToJson(row, contact)]
    })
  }

  const list = async (q: { status: "open" | "closed" | "all"; channel?: string | undefined; limit: number; cursor?: string | undefined }): Promise<Page<Conversation>> => {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, ["string", "string"] as const) as [string, string] | undefined
    if (q.cursor !== undefined && after === undefined) throw new InvalidCursor()
    const rows = await Effect.runPromise(database.all((db, t) => {
      const where: Array<SQL | undefined> = []
      if (q.status !== "all") where.push(eq(t.conversations.status, q.status))
      if (q.channel !== undefined) where.push(eq(t.conversations.channel, q.channel))
      if (after !== undefined) {
        const [at, id] = after
        where.push(or(lt(t.conversations.lastMessageAt, at), and(eq(t.conversations.lastMessageAt, at), lt(t.conversations.id, id))))
      }
      return db.select().from(t.conversations).where(and(...where))
        .orderBy(desc(t.conversations.lastMessageAt), desc(t.conversations.id)).limit(q.limit + 1)
    }))
    const more = rows.length > q.limit
    const page = rows.slice(0, q.limit)
    const last = page[page.length - 1]
    return { items: await withContacts(page), nextCursor: more && last ? encodeCursor([last.lastMessageAt, last.id]) : null }
  }

  const get = async (id: string): Promise<Conversation | undefined> => {
    const row = await Effect.runPromise(database.one((db, t) => db.select().from(t.conversations).where(eq(t.conversations.id, id))))
    return row === undefined ? undefined : (await withContacts([row]))[0]
  }

  /** Oldest first; `view`: what agents see of residents' texts (masking, defanged links). */
  const messagesOf = async (conversationId: string, q: { limit: number; cursor?: string | undefined }, view: AgentView = CLEAR_VIEW): Promise<Page<Message>> => {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, ["string", "number"] as const) as [string, number] | undefined
    if (q.cursor !== undefined && after === undefined) throw new InvalidCursor()
    const rows = await Effect.runPromise(database.all((db, t) => {
      const where: Array<SQL | undefined> = [eq(t.messages.conversationId, conversationId)]
      if (after !== undefined) {
        const [at, seq] = after
        where.push(or(gt(t.messages.createdAt, at), and(eq(t.messages.createdAt, at), gt(t.messages.seq, seq))))
      }
      return db.select().from(t.messages).where(and(...where))
        .orderBy(asc(t.messages.createdAt), asc(t.messages.seq)).limit(q.limit + 1)
    }))
    const more = rows.length > q.limit
    const page = rows.slice(0, q.limit)
    const last = page[page.length - 1]
    return { items: page.map((row) => messageToJson(row, view)), nextCursor: more && last ? encodeCursor([last.createdAt, last.seq]) : null }
  }

  /** One message of a conversation, as stored (the reveal reads it). */
  const messageOf = async (conversationId: string, messageId: string) =>
    Effect.runPromise(database.one((db, t) => db.select().from(t.messages).where(and(eq(t.messages.conversationId, conversationId), eq(t.messages.id, messageId)))))

  return { list, get, messagesOf, messageOf }
}
