/** The read side of conversations and messages: plain queries, outside the actors (reads never write). */
import { Effect } from "effect"
import { and, asc, desc, eq, gt, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm"
import { conversationToJson, messageToJson } from "../../../actors/conversation/serialize.ts"
import { linkedContactsOf } from "../../../actors/contacts/linked.ts"
import { type AgentView, CLEAR_VIEW } from "../../../actors/safety/agent-view.ts"
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
/** Up to this many conversations matching `q` are gathered first and listed by activity; more: the list scans. */
const SEARCH_SET = 3_000

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

export function makeConversationQueries(database: DatabaseShape) {
  const withContacts = async (rows: Array<typeof conversations.$inferSelect>): Promise<Array<Conversation>> => {
    if (rows.length === 0) return []
    const ids = [...new Set(rows.map((r) => r.contactId))]
    const people = await Effect.runPromise(database.all((db, t) => db.select().from(t.contacts).where(inArray(t.contacts.id, ids))))
    const byId = new Map(people.map((p) => [p.id, p]))
    // The resident's other contacts (linked by an agent): one query for the whole page.
    const linked = await Effect.runPromise(linkedContactsOf(database, people))
    // A conversation read just before a contact merge removed it (its contact is gone too): it no longer exists.
    return rows.flatMap((row) => {
      const contact = byId.get(row.contactId)
      if (contact === undefined) return []
      const json = conversationToJson(row, contact)
      return [{ ...json, contact: { ...json.contact, linked: linked.get(contact.id) ?? [] } }]
    })
  }

  // SQLite's LIKE ignores ASCII case (lower() covers the rest); PostgreSQL needs ILIKE.
  const contains = (column: SQL | unknown, pattern: string): SQL =>
    database.dialect === "postgres" ? sql`${column} ilike ${pattern} escape '\\'` : sql`lower(${column}) like lower(${pattern}) escape '\\'`

  /**
   * SQLite, 3 characters or more: the conversations whose messages or contact hold `text`, through the
   * FTS5 trigram indexes (drizzle/migrations/0007_search.sql), at most SEARCH_SET of them; undefined
   * when there are more (a common word: the list then scans by activity, where matches are dense).
   */
  const searchSet = async (text: string): Promise<ReadonlyArray<string> | undefined> => {
    const phrase = `"${text.replace(/"/g, '""')}"`
    // First only count, on the indexes alone (a common word would read thousands of rows for nothing).
    const [counted] = await Effect.runPromise(database.all((db) => db.select({
      messages: sql<number>`(select count(*) from (select rowid from message_search where message_search match ${phrase} limit ${SEARCH_SET + 1}))`,
      contacts: sql<number>`(select count(*) from (select rowid from contact_search where contact_search match ${phrase} limit ${SEARCH_SET + 1}))`
    }).from(sql`(select 1)`)))
    if (counted === undefined || counted.messages > SEARCH_SET || counted.contacts > SEARCH_SET) return undefined
    const rows = await Effect.runPromise(database.all((db) => db.select({ id: sql<string>`m.id` }).from(sql`(
      select conversation_id as id from message_search where message_search match ${phrase}
      union
      select v.id from contact_search s join contacts k on k.rowid = s.rowid join conversations v on v.contact_id = k.id where contact_search match ${phrase}
      limit ${SEARCH_SET + 1}) m`)))
    return rows.length > SEARCH_SET ? undefined : rows.map((r) => r.id)
  }

  const list = async (q: ListFilter): Promise<Page<Conversation>> => {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, ["string", "string"] as const) as [string, string] | undefined
    if (q.cursor !== undefined && after === undefined) throw new InvalidCursor()
    const indexed = q.q !== undefined && database.dialect === "sqlite" && [...q.q].length >= 3
    const matches = indexed ? await searchSet(q.q!) : undefined
    if (matches !== undefined && matches.length === 0) return { items: [], nextCursor: null }
    const rows = await Effect.runPromise(database.all((db, t) => {
      const where: Array<SQL | undefined> = []
      if (q.status !== "all") where.push(eq(t.conversations.status, q.status))
      if (q.channel !== undefined) where.push(eq(t.conversations.channel, q.channel))
      if (q.team !== undefined) where.push(q.team === "none" ? isNull(t.conversations.team) : eq(t.conversations.team, q.team))
      if (q.assignee !== undefined) where.push(q.assignee === "none" ? isNull(t.conversations.assignee) : eq(t.conversations.assignee, q.assignee))
      if (!q.visibility.all) {
        const { teams, agentId } = q.visibility
        // SQLite: `+column` keeps the planner on the activity index (it would gather every visible row through
        // the team and assignee indexes, then sort them all); PostgreSQL plans this well by its statistics.
        const col = (c: SQL | typeof t.conversations.team | typeof t.conversations.assignee) => (database.dialect === "sqlite" ? sql`+${c}` : sql`${c}`)
        where.push(or(
          sql`${col(t.conversations.team)} is null`,
          teams.length === 0 ? undefined : sql`${col(t.conversations.team)} in (${sql.join(teams.map((team) => sql`${team}`), sql`, `)})`,
          agentId === null ? undefined : sql`${col(t.conversations.assignee)} = ${agentId}`
        ))
      }
      if (matches !== undefined) {
        where.push(sql`${t.conversations.id} in (select value from json_each(${JSON.stringify(matches)}))`)
      } else if (q.q !== undefined) {
        // Short or common text: walk the list by activity and test each conversation (matches are dense, the page fills soon).
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

  return { list, get, row, messagesOf, messageOf }
}
