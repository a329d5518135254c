/**
 * The durable inbox (embedded mode): canonical events committed before the webhook's 2xx.
 * Its `key` column absorbs redeliveries; done rows stay 8 days (Meta redelivers for up to 7).
 */
import { nowIso, nowMillis } from "../domain/time.ts"
import { createHash } from "node:crypto"
import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm"
import { Effect } from "effect"
import type { Channel } from "../domain/Channel.ts"
import type { InboundEvent, ParsedWebhook } from "../domain/InboundEvent.ts"
import type { BatchMember, DatabaseShape, DatabaseUnavailable, Fence } from "../drizzle/Database.ts"

/** An event made durable, with its place in the inbox (embedded mode) or in the event stream (cluster mode). */
export interface Envelope {
  readonly seq: number
  readonly event: InboundEvent
  /**
   * Cluster mode: acknowledges the event at its source (JetStream) once it is applied and
   * committed, or parked. Without it (embedded mode) the handler marks the inbox row done in
   * its own transaction.
   */
  readonly handled?: (() => void) | undefined
  /**
   * Cluster mode: whether this instance still owns the event's partition. Checked right before the
   * event is applied: once it is false the event is left alone (not acknowledged), so the next
   * owner, which gets it again from the stream, is the only one to apply it.
   */
  readonly owned?: (() => boolean) | undefined
  /** Cluster mode: the partition lease it is applied under (its writes are fenced by it). */
  readonly fence?: Fence | undefined
  /**
   * Cluster mode: once the resident is resolved, hands the event to the partition its contact is
   * placed on when that is another one (the event named only the number of a resident placed by
   * BSUID), and acknowledges it here; answers whether it did. Keeps one writer per conversation.
   */
  /**
   * Cluster mode: the batch this event is applied in (its partition's waiting events, one
   * PostgreSQL transaction): its actor's transaction joins it, and says when it is done with it.
   */
  readonly batch?: BatchMember | undefined
  readonly replace?: ((ids: { readonly waId: string | null; readonly userId: string | null }) => Effect.Effect<boolean>) | undefined
}

export const RETENTION_DAYS = 8

const p = sql.placeholder

export function makeInbox(database: DatabaseShape) {
  const insert = database.prepare.one((db, t) => db.insert(t.inbox).values({
    key: p("key"), channel: p("channel"), kind: p("kind"), payload: p("payload"),
    receivedAt: p("receivedAt"), state: p("state"), lastError: p("lastError")
  }).onConflictDoNothing({ target: t.inbox.key }).returning({ seq: t.inbox.seq }))
  const done = database.prepare.run((db, t) => db.update(t.inbox).set({ state: "done", processedAt: sql`${p("now")}` })
    .where(eq(t.inbox.seq, p("seq"))))
  const pendingPage = database.prepare.all((db, t) => db.select({ seq: t.inbox.seq, payload: t.inbox.payload }).from(t.inbox)
    .where(and(eq(t.inbox.state, "pending"), gte(t.inbox.seq, p("from")))).orderBy(asc(t.inbox.seq)).limit(p("limit")))

  /**
   * Stores the events of many webhooks (inside a `database.transaction`). Returns, per webhook,
   * the envelopes that are new (duplicates are absorbed by the unique key).
   */
  const store = (batches: ReadonlyArray<{ readonly channel: Channel; readonly parsed: ParsedWebhook }>) =>
    Effect.gen(function*() {
      const receivedAt = yield* nowIso
      const result: Array<Array<Envelope>> = []
      for (const { channel, parsed } of batches) {
        const fresh: Array<Envelope> = []
        for (const event of parsed.events) {
          const row = (yield* insert({
            key: event.key, channel: event.channel, kind: event.kind, payload: event,
            receivedAt, state: "pending", lastError: null
          })) as { seq: number } | undefined
          if (row !== undefined) fresh.push({ seq: row.seq, event })
        }
        for (const rejected of parsed.rejected) {
          // Not understood, but kept: parked with its reason for a person to look at.
          const raw = rejected.raw ?? null
          yield* insert({
            key: `rejected:${rejected.path}:${hash(JSON.stringify(raw))}`, channel, kind: "rejected",
            payload: raw, receivedAt, state: "parked", lastError: `${rejected.path}: ${rejected.reason}`
          })
        }
        result.push(fresh)
      }
      return result
    })

  return {
    store,
    /** Marks an event handled, inside the handler's own transaction. */
    markDone: (seq: number) => Effect.flatMap(nowIso, (now) => done({ seq, now })),
    /** Parks an event that kept failing, with its cause (no resident data: causes are errors, not payloads). */
    park: (seq: number, cause: string, attempts: number) =>
      database.transaction(database.run((db, t) =>
        db.update(t.inbox).set({ state: "parked", lastError: cause.slice(0, 2000), attempts }).where(eq(t.inbox.seq, seq)))),
    /** Parks an event that is not in the inbox (cluster mode: it came from the event stream), with its cause. */
    parkEvent: (event: InboundEvent, cause: string, attempts: number) =>
      Effect.flatMap(nowIso, (receivedAt) => database.transaction(database.run((db, t) => db.insert(t.inbox).values({
        key: event.key, channel: event.channel, kind: event.kind, payload: event, receivedAt,
        state: "parked", lastError: cause.slice(0, 2000), attempts
      }).onConflictDoNothing({ target: t.inbox.key })))),
    /** Parked events, newest first, without their payload (it holds residents' data). */
    parked: (limit: number) =>
      database.all((db, t) =>
        db.select({ seq: t.inbox.seq, key: t.inbox.key, channel: t.inbox.channel, kind: t.inbox.kind, receivedAt: t.inbox.receivedAt, attempts: t.inbox.attempts, lastError: t.inbox.lastError })
          .from(t.inbox).where(eq(t.inbox.state, "parked")).orderBy(desc(t.inbox.seq)).limit(limit)),
    /**
     * Takes a parked event back to be handled again (after its cause was mended). Answers the
     * envelope, `"rejected"` for items that were never understood, or undefined when not parked.
     */
    unpark: (seq: number) =>
      database.transaction(Effect.gen(function*() {
        const row = yield* database.one((db, t) => db.select().from(t.inbox).where(and(eq(t.inbox.seq, seq), eq(t.inbox.state, "parked"))))
        if (row === undefined) return undefined
        if (row.kind === "rejected") return "rejected" as const
        yield* database.run((db, t) => db.update(t.inbox).set({ state: "pending", attempts: 0 }).where(eq(t.inbox.seq, seq)))
        return { seq, event: decode(row.payload) } satisfies Envelope
      })),
    /** Events accepted but not yet handled, from `seq` on, in order: a page of at most `limit`. */
    pending: (fromSeq = 0, limit = 1_000_000) =>
      (pendingPage({ from: fromSeq, limit }) as Effect.Effect<Array<{ seq: number; payload: unknown }>, DatabaseUnavailable>).pipe(
        Effect.map((rows) => rows.map((row): Envelope => ({ seq: row.seq, event: decode(row.payload) })))
      ),
    /** Forgets handled events older than the retention period. */
    prune: Effect.flatMap(nowMillis, (now) =>
      database.transaction(database.run((db, t) =>
        db.delete(t.inbox).where(and(eq(t.inbox.state, "done"), lt(t.inbox.receivedAt, new Date(now - RETENTION_DAYS * 86_400_000).toISOString()))))))
  }
}

const decode = (payload: unknown) => (typeof payload === "string" ? JSON.parse(payload) : payload) as InboundEvent

export type Inbox = ReturnType<typeof makeInbox>

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16)
}
