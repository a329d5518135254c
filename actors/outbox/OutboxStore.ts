/** The dispatcher's view of the outbox table. The conversation actor settles rows; the dispatcher moves them along. */
import { and, asc, eq, inArray, lte, or, sql } from "drizzle-orm"
import { Effect } from "effect"
import { type DatabaseShape, type DatabaseUnavailable, toNumber } from "../../drizzle/Database.ts"
import type { OutboxRow } from "../../drizzle/schema.ts"

const p = sql.placeholder

export function makeOutboxStore(database: DatabaseShape) {
  const due = database.prepare.all((db, t) => db.select().from(t.outbox).where(and(
    inArray(t.outbox.state, ["pending", "unconfirmed"]),
    lte(t.outbox.notBefore, p("now"))
  )).orderBy(asc(t.outbox.seq)).limit(p("limit")))
  const markOne = database.prepare.run((db, t) => db.update(t.outbox).set({ state: "sending" }).where(eq(t.outbox.seq, p("seq"))))
  const retry = database.prepare.run((db, t) => db.update(t.outbox).set({
    state: "pending", attempts: sql`${p("attempts")}`, notBefore: sql`${p("notBefore")}`, lastError: sql`${p("lastError")}`
  }).where(and(eq(t.outbox.seq, p("seq")), inArray(t.outbox.state, ["pending", "sending", "unconfirmed"]))))
  const earliest = database.prepare.one((db, t) => db.select({ at: sql<string | null>`min(${t.outbox.notBefore})` }).from(t.outbox)
    .where(inArray(t.outbox.state, ["pending", "unconfirmed"])))

  return {
    /** Rows whose turn it is, oldest first. */
    due: (now: string, limit: number) => due({ now, limit }) as Effect.Effect<Array<OutboxRow>, DatabaseUnavailable>,
    /** The earliest time a waiting row becomes due, if any. */
    nextDue: () => earliest().pipe(Effect.map((row) => (row as { at: string | null } | undefined)?.at ?? undefined)),
    /** Marks rows as being sent (one transaction for the batch). */
    markSending: (seqs: ReadonlyArray<number>) =>
      database.transaction(Effect.forEach(seqs, (seq) => markOne({ seq }), { discard: true })),
    /** Back to the queue: after a transient failure, or waiting for the resident's pair limit. */
    retryLater: (seq: number, attempts: number, notBefore: string, lastError: string | null) =>
      database.transaction(retry({ seq, attempts, notBefore, lastError })),
    /**
     * At start: sends that were under way when the process stopped may or may not have reached
     * Meta. They wait `confirmMs` for a status webhook carrying their tracking id, then go again.
     */
    recoverInterrupted: (confirmUntil: string) =>
      database.transaction(database.run((db, t) =>
        db.update(t.outbox).set({ state: "unconfirmed", notBefore: confirmUntil }).where(eq(t.outbox.state, "sending")))),
    pendingCount: () =>
      database.one((db, t) => db.select({ n: sql<number>`count(*)` }).from(t.outbox)
        .where(or(eq(t.outbox.state, "pending"), eq(t.outbox.state, "unconfirmed"), eq(t.outbox.state, "sending"))))
        .pipe(Effect.map((row) => toNumber(row?.n)))
  }
}

export type OutboxStore = ReturnType<typeof makeOutboxStore>
