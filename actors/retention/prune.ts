/**
 * Deletes what has outlived its retention period, in bounded batches: each batch its own small
 * transaction, committed before the next, so the one SQLite writer is never held for long.
 * Messages go through their conversation's actor only where the conversation itself changes
 * (a conversation left empty is removed by its actor: the single writer of its row).
 */
import { and, eq, gt, inArray, lt, lte, or, sql } from "drizzle-orm"
import { Effect } from "effect"
import type { DatabaseShape, DatabaseUnavailable } from "../../drizzle/Database.ts"
import { PRUNE_BATCH } from "./periods.ts"

/**
 * Batch after batch: `pick` reads up to `limit` keys (no transaction: nothing is written when
 * nothing is due), `drop` deletes them in a transaction of their own, committed before the next
 * batch; until a batch comes back short. Answers how many rows went.
 */
const inBatches = <K>(
  database: DatabaseShape,
  pick: (limit: number) => Effect.Effect<ReadonlyArray<K>, DatabaseUnavailable>,
  drop: (keys: ReadonlyArray<K>) => Effect.Effect<void, DatabaseUnavailable>,
  limit = PRUNE_BATCH
) =>
  Effect.gen(function*() {
    let total = 0
    while (true) {
      const keys = yield* pick(limit)
      if (keys.length > 0) {
        yield* database.transaction(drop(keys))
        yield* database.committed()
      }
      total += keys.length
      if (keys.length < limit) return total
      // Let webhooks and actors take the writer between two batches.
      yield* Effect.yieldNow
    }
  })

/** Statuses for messages never seen, older than `before` (ISO). */
export const pruneOrphanStatuses = (database: DatabaseShape, before: string, limit?: number) =>
  inBatches(database,
    (n) => database.all((db, t) => db.select({ key: t.orphanStatuses.key }).from(t.orphanStatuses).where(lt(t.orphanStatuses.timestamp, before)).limit(n)).pipe(Effect.map((rows) => rows.map((r) => r.key))),
    (keys) => database.run((db, t) => db.delete(t.orphanStatuses).where(inArray(t.orphanStatuses.key, [...keys]))),
    limit)

/** Outbox rows settled (sent or failed) before `before`; rows still to send are never touched. */
export const pruneSettledOutbox = (database: DatabaseShape, before: string, limit?: number) =>
  inBatches(database,
    (n) => database.all((db, t) => db.select({ seq: t.outbox.seq }).from(t.outbox).where(and(
      inArray(t.outbox.state, ["sent", "failed"]),
      lt(sql`coalesce(${t.outbox.sentAt}, ${t.outbox.createdAt})`, before)
    )).limit(n)).pipe(Effect.map((rows) => rows.map((r) => r.seq))),
    (seqs) => database.run((db, t) => db.delete(t.outbox).where(and(inArray(t.outbox.seq, [...seqs]), inArray(t.outbox.state, ["sent", "failed"])))),
    limit)

/** Parked inbox rows received before `before`. */
export const pruneParked = (database: DatabaseShape, before: string, limit?: number) =>
  inBatches(database,
    (n) => database.all((db, t) => db.select({ seq: t.inbox.seq }).from(t.inbox).where(and(eq(t.inbox.state, "parked"), lt(t.inbox.receivedAt, before))).limit(n))
      .pipe(Effect.map((rows) => rows.map((r) => r.seq))),
    // Still parked: a retry may have taken it back meanwhile.
    (seqs) => database.run((db, t) => db.delete(t.inbox).where(and(inArray(t.inbox.seq, [...seqs]), eq(t.inbox.state, "parked")))),
    limit)

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
    // Walked in windows of `limit` seqs (the primary key) rather than by `created_at`, which has no
    // index: each read touches at most `limit` rows, so no read or delete holds the writer long,
    // and message inserts pay for no extra index.
    const last = yield* database.all((db, t) => db.select({ seq: sql<number>`max(${t.messages.seq})` }).from(t.messages))
    const maxSeq = Number(last[0]?.seq ?? 0)
    let deleted = 0
    for (let from = 0; from < maxSeq; from += limit) {
      const rows = yield* database.all((db, t) => db.select({ seq: t.messages.seq, id: t.messages.id, conversationId: t.messages.conversationId, content: t.messages.content })
        .from(t.messages).where(and(gt(t.messages.seq, from), lte(t.messages.seq, from + limit), lt(t.messages.createdAt, before))))
      if (rows.length > 0) {
        for (const row of rows) {
          touched.add(row.conversationId)
          const content = (typeof row.content === "string" ? JSON.parse(row.content) : row.content) as { media?: { id?: unknown } } | null
          if (typeof content?.media?.id === "string") media.add(content.media.id)
        }
        const ids = rows.map((r) => r.id)
        yield* database.transaction(Effect.gen(function*() {
          yield* database.run((db, t) => db.delete(t.outbox).where(inArray(t.outbox.messageId, ids)))
          yield* database.run((db, t) => db.delete(t.messages).where(inArray(t.messages.seq, rows.map((r) => r.seq))))
        }))
        yield* database.committed()
        deleted += rows.length
      }
      // Let webhooks and actors take the writer between two windows.
      yield* Effect.yieldNow
    }
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
