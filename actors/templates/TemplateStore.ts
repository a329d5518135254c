/** Message templates synced from the WhatsApp Business Account: the send check's source of truth. */
import { nowIso } from "../../domain/time.ts"
import { and, asc, eq } from "drizzle-orm"
import { Effect } from "effect"
import type { DatabaseShape } from "../../drizzle/Database.ts"

export interface TemplateInput {
  readonly id: string
  readonly name: string
  readonly language: string
  readonly status: string
  readonly category: string | null
  readonly components: unknown
  readonly parameterCounts: { readonly header: number; readonly body: number; readonly buttons: number } | null
}

export function makeTemplateStore(database: DatabaseShape) {
  return {
    list: () => database.all((db, t) => db.select().from(t.templates).orderBy(asc(t.templates.name), asc(t.templates.language))),
    /** The template an agent names; any account's when several WABAs share a name. */
    find: (name: string, language: string) =>
      database.one((db, t) => db.select().from(t.templates).where(and(eq(t.templates.name, name), eq(t.templates.language, language)))),
    /** Replaces an account's templates with what the Graph API lists now. */
    replaceAll: (accountId: string, list: ReadonlyArray<TemplateInput>) =>
      database.transaction(Effect.gen(function*() {
        yield* database.run((db, t) => db.delete(t.templates).where(eq(t.templates.accountId, accountId)))
        const updatedAt = yield* nowIso
        for (const item of list) {
          yield* database.run((db, t) =>
            db.insert(t.templates).values({ ...item, parameterCounts: item.parameterCounts ? { ...item.parameterCounts } : null, accountId, updatedAt })
              .onConflictDoNothing())
        }
      })),
    /** A `message_template_status_update` webhook: the status changes at once, before the next sync. */
    setStatus: (accountId: string, name: string, language: string | null, status: string) =>
      Effect.flatMap(nowIso, (updatedAt) => database.run((db, t) =>
        db.update(t.templates).set({ status, updatedAt })
          .where(and(eq(t.templates.accountId, accountId), eq(t.templates.name, name), ...(language === null ? [] : [eq(t.templates.language, language)])))))
  }
}

export type TemplateStore = ReturnType<typeof makeTemplateStore>
