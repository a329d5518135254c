/**
 * The durable inbox (embedded mode): canonical events committed before the webhook's 2xx.
 * Its `key` column absorbs redeliveries; done rows stay 8 days (Meta redelivers for up to 7).
 */
import { createHash } from "node:crypto"
import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm"
import type { Channel } from "../domain/Channel.ts"
import type { InboundEvent, ParsedWebhook } from "../domain/InboundEvent.ts"
import type { DatabaseShape } from "../drizzle/Database.ts"
import { inbox } from "../drizzle/schema.ts"

/** An event made durable, with its place in the inbox. */
export interface Envelope {
  readonly seq: number
  readonly event: InboundEvent
}

export const RETENTION_DAYS = 8

export function makeInbox(database: DatabaseShape) {
  const { db } = database
  const insert = db.insert(inbox).values({
    key: sql.placeholder("key"),
    channel: sql.placeholder("channel"),
    kind: sql.placeholder("kind"),
    payload: sql.placeholder("payload"),
    receivedAt: sql.placeholder("receivedAt"),
    state: sql.placeholder("state"),
    lastError: sql.placeholder("lastError")
  }).onConflictDoNothing({ target: inbox.key }).returning({ seq: inbox.seq }).prepare()
  const done = db.update(inbox).set({ state: "done", processedAt: sql`${sql.placeholder("now")}` })
    .where(eq(inbox.seq, sql.placeholder("seq"))).prepare()

  /**
   * Stores the events of many webhooks (inside a `database.transaction` unit). Returns, per webhook,
   * the envelopes that are new (duplicates are absorbed by the unique key).
   */
  const store = (batches: ReadonlyArray<{ readonly channel: Channel; readonly parsed: ParsedWebhook }>): Array<Array<Envelope>> => {
    const receivedAt = new Date().toISOString()
    return batches.map(({ channel, parsed }) => {
      const fresh: Array<Envelope> = []
      for (const event of parsed.events) {
        const row = insert.get({
          key: event.key, channel: event.channel, kind: event.kind, payload: event,
          receivedAt, state: "pending", lastError: null
        }) as { seq: number } | undefined
        if (row !== undefined) fresh.push({ seq: row.seq, event })
      }
      for (const rejected of parsed.rejected) {
        // Not understood, but kept: parked with its reason for a person to look at.
        const raw = rejected.raw ?? null
        insert.get({
          key: `rejected:${rejected.path}:${hash(JSON.stringify(raw))}`, channel, kind: "rejected",
          payload: raw, receivedAt, state: "parked", lastError: `${rejected.path}: ${rejected.reason}`
        })
      }
      return fresh
    })
  }

  return {
    store,
    /** Marks an event handled, inside the handler's own transaction. */
    markDone: (seq: number) => done.run({ seq, now: new Date().toISOString() }),
    /** Parks an event that kept failing, with its cause (no resident data: causes are errors, not payloads). */
    park: (seq: number, cause: string, attempts: number) =>
      db.update(inbox).set({ state: "parked", lastError: cause.slice(0, 2000), attempts })
        .where(eq(inbox.seq, seq)).run(),
    /** Parked events, newest first, without their payload (it holds residents' data). */
    parked: (limit: number) =>
      db.select({ seq: inbox.seq, key: inbox.key, channel: inbox.channel, kind: inbox.kind, receivedAt: inbox.receivedAt, attempts: inbox.attempts, lastError: inbox.lastError })
        .from(inbox).where(eq(inbox.state, "parked")).orderBy(desc(inbox.seq)).limit(limit).all(),
    /**
     * Takes a parked event back to be handled again (after its cause was mended). Answers the
     * envelope, `"rejected"` for items that were never understood, or undefined when not parked.
     */
    unpark: (seq: number): Envelope | "rejected" | undefined => {
      const row = db.select().from(inbox).where(and(eq(inbox.seq, seq), eq(inbox.state, "parked"))).get()
      if (row === undefined) return undefined
      if (row.kind === "rejected") return "rejected"
      db.update(inbox).set({ state: "pending", attempts: 0 }).where(eq(inbox.seq, seq)).run()
      return { seq, event: (typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload) as InboundEvent }
    },
    /** Events accepted but not yet handled, from `seq` on, in order: a page of at most `limit`. */
    pending: (fromSeq = 0, limit = 1_000_000): Array<Envelope> =>
      db.select({ seq: inbox.seq, payload: inbox.payload }).from(inbox)
        .where(and(eq(inbox.state, "pending"), gte(inbox.seq, fromSeq))).orderBy(asc(inbox.seq)).limit(limit).all()
        .map((row) => ({ seq: row.seq, event: (typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload) as InboundEvent })),
    /** Forgets handled events older than the retention period. */
    prune: (now = Date.now()) =>
      db.delete(inbox).where(and(eq(inbox.state, "done"), lt(inbox.receivedAt, new Date(now - RETENTION_DAYS * 86_400_000).toISOString()))).run()
  }
}

export type Inbox = ReturnType<typeof makeInbox>

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16)
}
