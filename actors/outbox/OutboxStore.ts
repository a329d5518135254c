/** The dispatcher's view of the outbox table. The conversation actor settles rows; the dispatcher moves them along. */
import { and, asc, eq, inArray, lte, or, sql } from "drizzle-orm"
import type { DatabaseShape } from "../../drizzle/Database.ts"
import { type OutboxRow, outbox } from "../../drizzle/schema.ts"

export function makeOutboxStore({ db, transaction }: DatabaseShape) {
  const due = db.select().from(outbox).where(and(
    inArray(outbox.state, ["pending", "unconfirmed"]),
    lte(outbox.notBefore, sql.placeholder("now"))
  )).orderBy(asc(outbox.seq)).limit(sql.placeholder("limit")).prepare()

  const markOne = db.update(outbox).set({ state: "sending" }).where(eq(outbox.seq, sql.placeholder("seq"))).prepare()
  const retry = db.update(outbox).set({
    state: "pending", attempts: sql`${sql.placeholder("attempts")}`, notBefore: sql`${sql.placeholder("notBefore")}`, lastError: sql`${sql.placeholder("lastError")}`
  }).where(and(eq(outbox.seq, sql.placeholder("seq")), inArray(outbox.state, ["pending", "sending", "unconfirmed"]))).prepare()
  const earliest = db.select({ at: sql<string>`min(${outbox.notBefore})` }).from(outbox)
    .where(inArray(outbox.state, ["pending", "unconfirmed"])).prepare()

  return {
    /** Rows whose turn it is, oldest first. */
    due: (now: string, limit: number) => due.all({ now, limit }) as Array<OutboxRow>,
    /** The earliest time a waiting row becomes due, if any. */
    nextDue: (): string | undefined => (earliest.get() as { at: string | null } | undefined)?.at ?? undefined,
    /** Marks rows as being sent (one transaction for the batch). */
    markSending: (seqs: ReadonlyArray<number>) =>
      transaction(() => {
        for (const seq of seqs) markOne.run({ seq })
      }),
    /** Back to the queue: after a transient failure, or waiting for the resident's pair limit. */
    retryLater: (seq: number, attempts: number, notBefore: string, lastError: string | null) =>
      retry.run({ seq, attempts, notBefore, lastError }),
    /**
     * At start: sends that were under way when the process stopped may or may not have reached
     * Meta. They wait `confirmMs` for a status webhook carrying their tracking id, then go again.
     */
    recoverInterrupted: (confirmUntil: string) =>
      db.update(outbox).set({ state: "unconfirmed", notBefore: confirmUntil }).where(eq(outbox.state, "sending")).run(),
    pendingCount: () =>
      db.select({ n: sql<number>`count(*)` }).from(outbox).where(or(eq(outbox.state, "pending"), eq(outbox.state, "unconfirmed"), eq(outbox.state, "sending"))).get()?.n ?? 0
  }
}

export type OutboxStore = ReturnType<typeof makeOutboxStore>
