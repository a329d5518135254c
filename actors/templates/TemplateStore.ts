/** Message templates synced from the WhatsApp Business Account: the send check's source of truth. */
import { and, asc, eq } from "drizzle-orm"
import type { DatabaseShape } from "../../drizzle/Database.ts"
import { type TemplateRow, templates } from "../../drizzle/schema.ts"

export interface TemplateInput {
  readonly id: string
  readonly name: string
  readonly language: string
  readonly status: string
  readonly category: string | null
  readonly components: unknown
  readonly parameterCounts: { readonly header: number; readonly body: number; readonly buttons: number } | null
}

export function makeTemplateStore({ db, transaction }: DatabaseShape) {
  return {
    list: (): Array<TemplateRow> => db.select().from(templates).orderBy(asc(templates.name), asc(templates.language)).all(),
    /** The template an agent names; any account's when several WABAs share a name. */
    find: (name: string, language: string): TemplateRow | undefined =>
      db.select().from(templates).where(and(eq(templates.name, name), eq(templates.language, language))).get(),
    /** Replaces an account's templates with what the Graph API lists now. */
    replaceAll: (accountId: string, list: ReadonlyArray<TemplateInput>) =>
      transaction((tx) => {
        tx.delete(templates).where(eq(templates.accountId, accountId)).run()
        const updatedAt = new Date().toISOString()
        for (const t of list) {
          tx.insert(templates).values({ ...t, parameterCounts: t.parameterCounts ? { ...t.parameterCounts } : null, accountId, updatedAt })
            .onConflictDoNothing().run()
        }
      }),
    /** A `message_template_status_update` webhook: the status changes at once, before the next sync. */
    setStatus: (accountId: string, name: string, language: string | null, status: string) =>
      db.update(templates).set({ status, updatedAt: new Date().toISOString() })
        .where(and(eq(templates.accountId, accountId), eq(templates.name, name), ...(language === null ? [] : [eq(templates.language, language)])))
        .run()
  }
}

export type TemplateStore = ReturnType<typeof makeTemplateStore>
