/** The `settings` row (id "current"): the stored document, its version, who changed it last. */
import { and, eq } from "drizzle-orm"
import { Effect } from "effect"
import type { DatabaseShape } from "../../drizzle/Database.ts"

const ROW_ID = "current"

export interface StoredSettings {
  readonly document: Record<string, unknown>
  readonly version: number
}

export function makeSettingsStore(database: DatabaseShape) {
  return {
    /** The stored document and version; version 0 and `{}` on a fresh install. */
    read: database.one((db, t) => db.select().from(t.settings).where(eq(t.settings.id, ROW_ID))).pipe(
      Effect.map((row): StoredSettings => row === undefined ? { document: {}, version: 0 } : { document: row.document, version: row.version })
    ),
    version: database.one((db, t) => db.select({ version: t.settings.version }).from(t.settings).where(eq(t.settings.id, ROW_ID))).pipe(
      Effect.map((row) => row?.version ?? 0)
    ),
    /**
     * Writes `document` as version `expected + 1` if the row is still at `expected`: answers
     * false when another writer got there first.
     */
    write: (expected: number, document: Record<string, unknown>, updatedAt: string, updatedBy: string) =>
      (expected === 0
        ? database.one((db, t) => db.insert(t.settings).values({ id: ROW_ID, document, version: 1, updatedAt, updatedBy }).onConflictDoNothing().returning({ version: t.settings.version }))
        : database.one((db, t) => db.update(t.settings).set({ document, version: expected + 1, updatedAt, updatedBy })
          .where(and(eq(t.settings.id, ROW_ID), eq(t.settings.version, expected))).returning({ version: t.settings.version }))
      ).pipe(Effect.map((row) => row !== undefined))
  }
}
