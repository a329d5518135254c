/** The read side of conversations and messages: plain queries, outside the actors (reads never write). */
import { Effect } from "effect"
import { and, asc, desc, eq, gt, isNull, lt, or, sql, type SQL } from "drizzle-orm"
import { conversationToJson, messageToJson } from "../../../actors/conversation/serialize.ts"
import { linkedContactsOf } from "../../../actors/contacts/linked.ts"
import { type AgentView, CLEAR_VIEW } from "../../../actors/safety/agent-view.ts"
import type { Conversation } from "../../../domain/Conversation.ts"
import type { Message } from "../../../domain/Message.ts"
import type { Build, DatabaseShape, DatabaseUnavailable } from "../../../drizzle/Database.ts"
import type { ContactRow, conversations } from "../../../drizzle/schema.ts"
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

type ListRow = { conversation: typeof conversations.$inferSelect; contact: ContactRow }

/** `now`: the time by Effect's Clock (the routes read it through the app's runtime), for the window's "closing soon" and the common-word cache. */
export function makeConversationQueries(database: DatabaseShape, now: () => Promise<number>) {
  /** The contract's Conversations of rows read with their contacts, each with the resident's other (linked) contacts: one query for them all. */
  const toConversations = async (rows: ReadonlyArray<ListRow>): Promise<Array<Conversation>> => {
    const linked = await Effect.runPromise(linkedContactsOf(database, rows.map((r) => r.contact)))
    const at = await now()
    return rows.map(({ conversation, contact }) => {
      const json = conversationToJson(conversation, contact, at)
      return { ...json, contact: { ...json.contact, linked: linked.get(contact.id) ?? [] } }
    })
  }

  // SQLite's LIKE ignores ASCII case, as its lower() (which folds ASCII only) would; PostgreSQL needs ILIKE.
  const contains = (column: unknown, pattern: unknown): SQL =>
    database.dialect === "postgres" ? sql`${column} ilike ${pattern} escape '\\'` : sql`${column} like ${pattern} escape '\\'`

  /**
   * SQLite, 3 characters or more: whether `text` is common (more than SEARCH_SET messages or contacts
   * hold it: the list then scans by activity, where matches are dense), counted on the FTS5 trigram
   * indexes alone (drizzle/migrations/0007_search.sql). Kept a while per text: how common a word is
   * changes slowly, and the answer only picks the plan, never what is found.
   */
  const countMatches = database.prepare.one((db) => db.select({
    messages: sql<number>`(select count(*) from (select rowid from message_search where message_search match ${sql.placeholder("phrase")} limit ${SEARCH_SET + 1}))`,
    contacts: sql<number>`(select count(*) from (select rowid from contact_search where contact_search match ${sql.placeholder("phrase")} limit ${SEARCH_SET + 1}))`
  }).from(sql`(select 1)`))
  // Messages and contacts are added to the index in batches a moment after they are written (drizzle/SearchIndexer.ts):
  // the few messages after its mark and the contacts still pending are read directly, so they are found from their commit on.
  const matchingConversations = database.prepare.all((db) => db.select({ id: sql<string>`m.id` }).from(sql`(
      select conversation_id as id from message_search where message_search match ${sql.placeholder("phrase")}
      union
      select conversation_id as id from messages where seq > (select upto from search_progress where name = 'messages')
        and ${contains(sql`text`, sql.placeholder("pattern"))}
      union
      select v.id from contact_search s join contacts k on k.rowid = s.rowid join conversations v on v.contact_id = k.id where contact_search match ${sql.placeholder("phrase")}
      union
      select v.id from contact_search_pending s join contacts k on k.rowid = s.contact_rowid join conversations v on v.contact_id = k.id
        where ${contains(sql`k.name`, sql.placeholder("pattern"))} or ${contains(sql`k.handle`, sql.placeholder("pattern"))}
      limit ${SEARCH_SET + 1}) m`))
  const common = new Map<string, number>()
  const COMMON_TTL_MS = 60_000
  const isCommon = async (phrase: string) => {
    const until = common.get(phrase)
    const at = await now()
    if (until !== undefined && until > at) return true
    const counted = await Effect.runPromise(countMatches({ phrase }))
    const answer = counted === undefined || counted.messages > SEARCH_SET || counted.contacts > SEARCH_SET
    common.delete(phrase)
    if (answer) {
      common.set(phrase, at + COMMON_TTL_MS)
      if (common.size > 1000) common.delete(common.keys().next().value!)
    }
    return answer
  }

  /**
   * SQLite, 3 characters or more: the conversations whose messages or contact hold `text`, at most
   * SEARCH_SET of them; undefined when there are more (a common word: the list scans by activity).
   */
  const searchSet = async (text: string): Promise<ReadonlyArray<string> | undefined> => {
    const phrase = `"${text.replace(/"/g, '""')}"`
    if (await isCommon(phrase)) return undefined
    const rows = await Effect.runPromise(matchingConversations({ phrase, pattern: likePattern(text) }))
    return rows.length > SEARCH_SET ? undefined : rows.map((r) => r.id)
  }

  type Search = "none" | "set" | "like"
  interface Shape {
    readonly status: boolean
    readonly channel: boolean
    readonly team: "any" | "none" | "one"
    readonly assignee: "any" | "none" | "one"
    /** undefined: sees all; else how many teams, and whether an agent id is there. */
    readonly visible: { readonly teams: number; readonly agent: boolean } | undefined
    readonly search: Search
    readonly after: boolean
  }
  const p = (name: string) => sql.placeholder(name)
  /**
   * The list's query for one shape of filter, every value a placeholder: prepared once per shape (a
   * handful are in use), so a request binds and runs it. The contact comes in the same statement.
   */
  const buildList = (shape: Shape): Build<unknown> => (db, t) => {
    const where: Array<SQL | undefined> = []
    if (shape.status) where.push(eq(t.conversations.status, p("status")))
    if (shape.channel) where.push(eq(t.conversations.channel, p("channel")))
    if (shape.team !== "any") where.push(shape.team === "none" ? isNull(t.conversations.team) : eq(t.conversations.team, p("team")))
    if (shape.assignee !== "any") where.push(shape.assignee === "none" ? isNull(t.conversations.assignee) : eq(t.conversations.assignee, p("assignee")))
    if (shape.visible !== undefined) {
      // SQLite: `+column` keeps the planner on the activity index (it would gather every visible row through
      // the team and assignee indexes, then sort them all); PostgreSQL plans this well by its statistics.
      const col = (c: SQL | typeof t.conversations.team | typeof t.conversations.assignee) => (database.dialect === "sqlite" ? sql`+${c}` : sql`${c}`)
      const teams = Array.from({ length: shape.visible.teams }, (_, i) => p(`visibleTeam${i}`))
      where.push(or(
        sql`${col(t.conversations.team)} is null`,
        teams.length === 0 ? undefined : sql`${col(t.conversations.team)} in (${sql.join(teams, sql`, `)})`,
        shape.visible.agent ? sql`${col(t.conversations.assignee)} = ${p("visibleAgent")}` : undefined
      ))
    }
    if (shape.search === "set") {
      where.push(sql`${t.conversations.id} in (select value from json_each(${p("matches")}))`)
    } else if (shape.search === "like") {
      // Short or common text: walk the list by activity and test each conversation (matches are dense, the page fills soon).
      where.push(or(
        contains(t.contacts.name, p("pattern")),
        contains(t.contacts.handle, p("pattern")),
        sql`exists (select 1 from ${t.messages} where ${t.messages.conversationId} = ${t.conversations.id} and ${contains(t.messages.text, p("pattern"))})`
      ))
    }
    if (shape.after) {
      where.push(or(lt(t.conversations.lastMessageAt, p("afterAt")), and(eq(t.conversations.lastMessageAt, p("afterAt")), lt(t.conversations.id, p("afterId")))))
    }
    // A conversation read just as a contact merge removed it (its contact is gone too) no longer exists: the join drops it.
    return db.select({ conversation: t.conversations, contact: t.contacts }).from(t.conversations)
      .innerJoin(t.contacts, eq(t.contacts.id, t.conversations.contactId))
      .where(and(...where))
      .orderBy(desc(t.conversations.lastMessageAt), desc(t.conversations.id)).limit(p("limit")) as never
  }
  const listStatements = new Map<string, (params: Record<string, unknown>) => Effect.Effect<unknown, DatabaseUnavailable>>()
  const listStatement = (shape: Shape) => {
    const key = JSON.stringify(shape)
    let statement = listStatements.get(key)
    if (statement === undefined) {
      statement = database.prepare.all(buildList(shape) as Build<{ all: () => unknown }>) as never
      listStatements.set(key, statement!)
    }
    return statement!
  }

  const list = async (q: ListFilter): Promise<Page<Conversation>> => {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, ["string", "string"] as const) as [string, string] | undefined
    if (q.cursor !== undefined && after === undefined) throw new InvalidCursor()
    const indexed = q.q !== undefined && database.dialect === "sqlite" && [...q.q].length >= 3
    const matches = indexed ? await searchSet(q.q!) : undefined
    if (matches !== undefined && matches.length === 0) return { items: [], nextCursor: null }
    const params: Record<string, unknown> = { limit: q.limit + 1 }
    const team = q.team === undefined ? "any" : q.team === "none" ? "none" : "one"
    const assignee = q.assignee === undefined ? "any" : q.assignee === "none" ? "none" : "one"
    if (q.status !== "all") params.status = q.status
    if (q.channel !== undefined) params.channel = q.channel
    if (team === "one") params.team = q.team
    if (assignee === "one") params.assignee = q.assignee
    if (!q.visibility.all) {
      q.visibility.teams.forEach((id, i) => (params[`visibleTeam${i}`] = id))
      if (q.visibility.agentId !== null) params.visibleAgent = q.visibility.agentId
    }
    const search: Search = matches !== undefined ? "set" : q.q !== undefined ? "like" : "none"
    if (search === "set") params.matches = JSON.stringify(matches)
    if (search === "like") params.pattern = likePattern(q.q!)
    if (after !== undefined) [params.afterAt, params.afterId] = after
    const statement = listStatement({
      status: q.status !== "all", channel: q.channel !== undefined, team, assignee,
      visible: q.visibility.all ? undefined : { teams: q.visibility.teams.length, agent: q.visibility.agentId !== null },
      search, after: after !== undefined
    })
    const rows = await Effect.runPromise(statement(params)) as Array<ListRow>
    const more = rows.length > q.limit
    const page = rows.slice(0, q.limit)
    const last = page[page.length - 1]
    return { items: await toConversations(page), nextCursor: more && last ? encodeCursor([last.conversation.lastMessageAt, last.conversation.id]) : null }
  }

  const row = (id: string) => Effect.runPromise(database.one((db, t) => db.select().from(t.conversations).where(eq(t.conversations.id, id))))

  const get = async (id: string): Promise<Conversation | undefined> => {
    // A conversation read just as a contact merge removed it (its contact is gone too) no longer exists: the join drops it.
    const found = await Effect.runPromise(database.one((db, t) => db.select({ conversation: t.conversations, contact: t.contacts }).from(t.conversations)
      .innerJoin(t.contacts, eq(t.contacts.id, t.conversations.contactId)).where(eq(t.conversations.id, id))))
    return found === undefined ? undefined : (await toConversations([found]))[0]
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
