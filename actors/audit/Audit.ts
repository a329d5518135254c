/**
 * The audit log of every admin action in Loket (settings changes, tokens, agents, reveals of
 * personal data…): who did what, when, and the record before and after. `record` is meant to
 * run inside the caller's transaction, so the entry lands with the change or not at all.
 */
import { and, desc, eq, lt, or } from "drizzle-orm"
import { Clock, Context, Effect, Layer, Schema } from "effect"
import { newId } from "../../domain/ids.ts"
import { Database, type DatabaseUnavailable } from "../../drizzle/Database.ts"

/** Who acted: an API token, an agent (console), the config file at start, or Loket itself. */
export const AuditActor = Schema.Struct({
  kind: Schema.Literals(["token", "agent", "config", "loket"]),
  id: Schema.String,
  name: Schema.String
}).annotate({ identifier: "AuditActor" })
export type AuditActor = typeof AuditActor.Type

export const AuditEntry = Schema.Struct({
  id: Schema.String,
  at: Schema.String.annotate({ description: "ISO 8601, UTC" }),
  actor: AuditActor,
  action: Schema.String.annotate({ description: "What was done, e.g. settings.update, settings.replace" }),
  target: Schema.String.annotate({ description: "What it was done to, e.g. settings" }),
  before: Schema.Unknown.annotate({ description: "The record before (null: it did not exist)" }),
  after: Schema.Unknown.annotate({ description: "The record after (null: it was removed)" })
}).annotate({ identifier: "AuditEntry" })
export type AuditEntry = typeof AuditEntry.Type

/** What a caller hands to `record`; id and time are Loket's. Never put residents' data in clear in before/after. */
export interface AuditRecord {
  readonly actor: AuditActor
  readonly action: string
  readonly target: string
  readonly before: unknown
  readonly after: unknown
}

/** Where a page starts: after this entry (newest first). */
export interface AuditPosition {
  readonly at: string
  readonly id: string
}

export interface AuditPage {
  readonly items: ReadonlyArray<AuditEntry>
  /** The last entry of the page when more may follow, else null. */
  readonly next: AuditPosition | null
}

export class Audit extends Context.Service<Audit, {
  /** Writes one entry; run it inside the transaction of the change it describes. */
  readonly record: (entry: AuditRecord) => Effect.Effect<AuditEntry, DatabaseUnavailable>
  /** Newest first; `after` continues from a page's `next`; `target` filters (e.g. "settings"). */
  readonly list: (options: { readonly limit: number; readonly after?: AuditPosition; readonly target?: string }) => Effect.Effect<AuditPage, DatabaseUnavailable>
}>()("loket/actors/audit/Audit") {
  static readonly layer = Layer.effect(
    Audit,
    Effect.gen(function*() {
      const database = yield* Database
      // Entries of this instance get strictly increasing times, so newest-first keeps their order.
      let lastMillis = 0

      const record = Effect.fn("Audit.record")(function*(entry: AuditRecord) {
        const now = yield* Clock.currentTimeMillis
        lastMillis = Math.max(now, lastMillis + 1)
        const at = new Date(lastMillis).toISOString()
        const row = {
          id: newId("aud"), at, actorKind: entry.actor.kind, actorId: entry.actor.id, actorName: entry.actor.name,
          action: entry.action, target: entry.target, before: entry.before ?? null, after: entry.after ?? null
        }
        yield* database.run((db, t) => db.insert(t.auditLog).values(row))
        return toEntry(row)
      })

      const list = Effect.fn("Audit.list")(function*(options: { readonly limit: number; readonly after?: AuditPosition; readonly target?: string }) {
        const { after, target } = options
        const rows = yield* database.all((db, t) => {
          const older = after === undefined ? undefined : or(lt(t.auditLog.at, after.at), and(eq(t.auditLog.at, after.at), lt(t.auditLog.id, after.id)))
          const conditions = [older, target === undefined ? undefined : eq(t.auditLog.target, target)].filter((c) => c !== undefined)
          return db.select().from(t.auditLog).where(conditions.length === 0 ? undefined : and(...conditions))
            .orderBy(desc(t.auditLog.at), desc(t.auditLog.id)).limit(options.limit + 1)
        })
        const items = rows.slice(0, options.limit).map(toEntry)
        const last = items[items.length - 1]
        return { items, next: rows.length > options.limit && last !== undefined ? { at: last.at, id: last.id } : null }
      })

      return Audit.of({ record, list })
    })
  )
}

function toEntry(row: {
  id: string; at: string; actorKind: string; actorId: string; actorName: string; action: string; target: string; before: unknown; after: unknown
}): AuditEntry {
  return {
    id: row.id, at: row.at, actor: { kind: row.actorKind as AuditActor["kind"], id: row.actorId, name: row.actorName },
    action: row.action, target: row.target, before: row.before ?? null, after: row.after ?? null
  }
}
