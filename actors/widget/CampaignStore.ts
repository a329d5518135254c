/**
 * Campaigns of the widget's QR codes (posters, letters, screens): each has a link
 * `/r/<id>` whose scans are counted — a number and the time of the last scan, nothing else.
 */
import { asc, eq, sql } from "drizzle-orm"
import { Effect } from "effect"
import type { DatabaseShape } from "../../drizzle/Database.ts"
import type { WidgetCampaignRow } from "../../drizzle/schema.ts"

export interface CampaignInput {
  readonly id: string
  readonly name: string
  readonly text: string | null
  readonly managedQrCode?: string | null
  readonly managedQrLink?: string | null
}

export interface CampaignChange {
  readonly name?: string
  readonly text?: string | null
  readonly managedQrCode?: string | null
  readonly managedQrLink?: string | null
}

export function makeCampaignStore(database: DatabaseShape) {
  const find = (id: string) => database.one((db, t) => db.select().from(t.widgetCampaigns).where(eq(t.widgetCampaigns.id, id)))
  return {
    list: () => database.all((db, t) => db.select().from(t.widgetCampaigns).orderBy(asc(t.widgetCampaigns.id))),
    find,
    /** The new campaign, or undefined when its id is taken. */
    create: (input: CampaignInput, now: string) =>
      database.one((db, t) =>
        db.insert(t.widgetCampaigns).values({ ...input, scans: 0, createdAt: now, updatedAt: now }).onConflictDoNothing().returning()
      ).pipe(Effect.tap(() => database.committed())),
    update: (id: string, change: CampaignChange, now: string) =>
      database.one((db, t) =>
        db.update(t.widgetCampaigns).set({ ...change, updatedAt: now }).where(eq(t.widgetCampaigns.id, id)).returning()
      ).pipe(Effect.tap(() => database.committed())),
    remove: (id: string) =>
      database.one((db, t) => db.delete(t.widgetCampaigns).where(eq(t.widgetCampaigns.id, id)).returning({ id: t.widgetCampaigns.id }))
        .pipe(Effect.tap(() => database.committed())),
    /** Counts one scan (atomically, also with several gateways); the campaign, or undefined. */
    countScan: (id: string, now: string) =>
      database.one((db, t) =>
        db.update(t.widgetCampaigns).set({ scans: sql`${t.widgetCampaigns.scans} + 1`, lastScanAt: now })
          .where(eq(t.widgetCampaigns.id, id)).returning()
      ).pipe(Effect.tap(() => database.committed()))
  }
}

export type CampaignStore = ReturnType<typeof makeCampaignStore>
export type Campaign = WidgetCampaignRow
