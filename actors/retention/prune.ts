/**
 * Deletes what has outlived its retention period, in bounded batches: each batch its own small
 * transaction, committed before the next, so the one SQLite writer is never held for long.
 * Messages go through their conversation's actor only where the conversation itself changes
 * (a conversation left empty is removed by its actor: the single writer of its row).
 */
import { and, asc, eq, inArray, lt, or, sql } from "drizzle-orm"
import { Effect } from "effect"
import type { DatabaseShape, DatabaseUnavailable } from "../../drizzle/Database.ts"
import { PRUNE_BATCH } from "./periods.ts"

/** Deletes batch after batch until a batch comes back short; answers how many rows went. */
const inBatches = (database: DatabaseShape, batch: (limit: number) => Effect.Effect<number, DatabaseUnavailable>, limit = PRUNE_BATCH) =>
  Effect.gen(function*() {
    let total = 0
    while (true) {
      const n = yield* database.transaction(batch(limit))
      yield* database.committed()
      total += n
      if (n < limit) return total
      // Let webhooks and actors take the writer between two batches.
      yield* Effect.yieldNow
    }
  })

const count = (rows: unknown) => (rows as Array<unknown>).length

/** Statuses for messages never seen, older than `before` (ISO). */
export const pruneOrphanStatuses = (database: DatabaseShape, before: string, limit?: number) =>
  inBatches(database, (n) =>
    database.all((db, t) => db.delete(t.orphanStatuses).where(inArray(t.orphanStatuses.key,
      db.select({ key: t.orphanStatuses.key }).from(t.orphanStatuses).where(lt(t.orphanStatuses.timestamp, before)).limit(n)
    )).returning({ key: t.orphanStatuses.key })).pipe(Effect.map(count)), limit)

/** Outbox rows settled (sent or failed) before `before`; rows still to send are never touched. */
export const pruneSettledOutbox = (database: DatabaseShape, before: string, limit?: number) =>
  inBatches(database, (n) =>
    database.all((db, t) => db.delete(t.outbox).where(inArray(t.outbox.seq,
      db.select({ seq: t.outbox.seq }).from(t.outbox).where(and(
        inArray(t.outbox.state, ["sent", "failed"]),
        lt(sql`coalesce(${t.outbox.sentAt}, ${t.outbox.createdAt})`, before)
      )).limit(n)
    )).returning({ seq: t.outbox.seq })).pipe(Effect.map(count)), limit)

/** Parked inbox rows received before `before`. */
export const pruneParked = (database: DatabaseShape, before: string, limit?: number) =>
  inBatches(database, (n) =>
    database.all((db, t) => db.delete(t.inbox).where(inArray(t.inbox.seq,
      db.select({ seq: t.inbox.seq }).from(t.inbox).where(and(eq(t.inbox.state, "parked"), lt(t.inbox.receivedAt, before))).limit(n)
    )).returning({ seq: t.inbox.seq })).pipe(Effect.map(count)), limit)

export interface EmptiedConversation {
  readonly channel: string
  readonly channelAccountId: string
  readonly contactId: string
}

/**
 * Messages created before `before` (ISO), with their outbox rows; answers how many went and
 * the conversations that had no message left afterwards and no activity since `before`
 * (their actors remove them: see `forgetIfEmpty`). Media ids of deleted messages are answered
 * too, for a media cache that wants to drop them.
 */
export const pruneMessages = (database: DatabaseShape, before: string, limit = PRUNE_BATCH) =>
  Effect.gen(function*() {
    const touched = new Set<string>()
    const media = new Set<string>()
    const deleted = yield* inBatches(database, (n) =>
      Effect.gen(function*() {
        const rows = yield* database.all((db, t) => db.select({ seq: t.messages.seq, id: t.messages.id, conversationId: t.messages.conversationId, content: t.messages.content })
          .from(t.messages).where(lt(t.messages.createdAt, before)).orderBy(asc(t.messages.seq)).limit(n))
        if (rows.length === 0) return 0
        for (const row of rows) {
          touched.add(row.conversationId)
          const content = (typeof row.content === "string" ? JSON.parse(row.content) : row.content) as { media?: { id?: unknown } } | null
          if (typeof content?.media?.id === "string") media.add(content.media.id)
        }
        const ids = rows.map((r) => r.id)
        yield* database.run((db, t) => db.delete(t.outbox).where(inArray(t.outbox.messageId, ids)))
        yield* database.run((db, t) => db.delete(t.messages).where(inArray(t.messages.seq, rows.map((r) => r.seq))))
        return rows.length
      }), limit)
    const emptied: Array<EmptiedConversation> = []
    const conversationIds = [...touched]
    for (let i = 0; i < conversationIds.length; i += limit) {
      const slice = conversationIds.slice(i, i + limit)
      const rows = yield* database.all((db, t) => db.select({ channel: t.conversations.channel, channelAccountId: t.conversations.channelAccountId, contactId: t.conversations.contactId })
        .from(t.conversations).where(and(
          inArray(t.conversations.id, slice),
          lt(t.conversations.lastMessageAt, before),
          or(sql`${t.conversations.lastOutboundAt} is null`, lt(t.conversations.lastOutboundAt, before)),
          sql`not exists (select 1 from ${t.messages} where ${t.messages.conversationId} = ${t.conversations.id})`
        )))
      emptied.push(...rows)
    }
    return { deleted, emptied, media: [...media] }
  })
