/** The read side of conversations and messages: plain queries, outside the actors (reads never write). */
import { Effect } from "effect"
import { and, asc, desc, eq, gt, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm"
import { conversationToJson, messageToJson } from "../../../actors/conversation/serialize.ts"
import type { Conversation } from "../../../domain/Conversation.ts"
import type { Message } from "../../../domain/Message.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import type { conversations } from "../../../drizzle/schema.ts"
import { decodeCursor, encodeCursor } from "../cursor.ts"
import type { Visibility } from "./access.ts"

export interface Page<T> {
  readonly items: ReadonlyArray<T>
  readonly nextCursor: string | null
}

export class InvalidCursor extends Error {}

export interface ListFilter {
  readonly status: "open" | "closed" | "all"
  readonly channel?: string | undefined
  /** A team id, or "none" for conversations without a team. */
  readonly team?: string | undefined
  /** An agent id, or "none" for unassigned conversations (`me` is resolved by the route). */
  readonly assignee?: string | undefined
  /** Text the contact's name or handle, or one of the conversation's message texts, contains (case-insensitive). */
  readonly q?: string | undefined
  readonly visibility: Visibility
  readonly limit: number
  readonly cursor?: string | undefined
}

/** `%`, `_` and `\` stand for themselves in the search text. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

export function makeConversationQueries(database: DatabaseShape) {
  const withContacts = async (rows: Array<typeof conversations.$inferSelect>): Promise<Array<Conversation>> => {
    if (rows.length === 0) return []
    const ids = [...new Set(rows.map((r) => r.contactId))]
    const people = await Effect.runPromise(database.all((db, t) => db.select().from(t.contacts).where(inArray(t.contacts.id, ids))))
    const byId = new Map(people.map((p) => [p.id, p]))
    return rows.map((row) => conversationToJson(row, byId.get(row.contactId)!))
  }

  // SQLite's LIKE ignores ASCII case (lower() covers the rest); PostgreSQL needs ILIKE.
  const contains = (column: SQL | unknown, pattern: string): SQL =>
    database.dialect === "postgres" ? sql`${column} ilike ${pattern} escape '\\'` : sql`lower(${column}) like lower(${pattern}) escape '\\'`

  const list = async (q: ListFilter): Promise<Page<Conversation>> => {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, ["string", "string"] as const) as [string, string] | undefined
    if (q.cursor !== undefined && after === undefined) throw new InvalidCursor()
    const rows = await Effect.runPromise(database.all((db, t) => {
      const where: Array<SQL | undefined> = []
      if (q.status !== "all") where.push(eq(t.conversations.status, q.status))
      if (q.channel !== undefined) where.push(eq(t.conversations.channel, q.channel))
      if (q.team !== undefined) where.push(q.team === "none" ? isNull(t.conversations.team) : eq(t.conversations.team, q.team))
      if (q.assignee !== undefined) where.push(q.assignee === "none" ? isNull(t.conversations.assignee) : eq(t.conversations.assignee, q.assignee))
      if (!q.visibility.all) {
        const { teams, agentId } = q.visibility
        where.push(or(
          isNull(t.conversations.team),
          teams.length === 0 ? undefined : inArray(t.conversations.team, [...teams]),
          agentId === null ? undefined : eq(t.conversations.assignee, agentId)
        ))
      }
      if (q.q !== undefined) {
        const pattern = likePattern(q.q)
        where.push(or(
          sql`exists (select 1 from ${t.contacts} where ${t.contacts.id} = ${t.conversations.contactId} and (${contains(t.contacts.name, pattern)} or ${contains(t.contacts.handle, pattern)}))`,
          sql`exists (select 1 from ${t.messages} where ${t.messages.conversationId} = ${t.conversations.id} and ${contains(t.messages.text, pattern)})`
        ))
      }
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

  const row = (id: string) => Effect.runPromise(database.one((db, t) => db.select().from(t.conversations).where(eq(t.conversations.id, id))))

  const get = async (id: string): Promise<Conversation | undefined> => {
    const row = await Effect.runPromise(database.one((db, t) => db.select().from(t.conversations).where(eq(t.conversations.id, id))))
    return row === undefined ? undefined : (await withContacts([row]))[0]
  }

  const messagesOf = async (conversationId: string, q: { limit: number; cursor?: string | undefined }): Promise<Page<Message>> => {
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
    return { items: page.map(messageToJson), nextCursor: more && last ? encodeCursor([last.createdAt, last.seq]) : null }
  }

  return { list, get, row, messagesOf }
}
