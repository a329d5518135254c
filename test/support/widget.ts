/** The widget settings for tests, set the way an IT team sets them: PUT /api/v1/settings. */
import type { WidgetSettingsInput } from "../../domain/widget/config.ts"
import { auth, type TestGateway } from "./gateway.ts"

export const WIDGET_NUMBER = "31201234567"

export const widgetSettings = (change: Partial<WidgetSettingsInput> = {}): WidgetSettingsInput => ({
  enabled: true,
  percentage: 100,
  number: WIDGET_NUMBER,
  text: "Hallo gemeente, ik heb een vraag",
  paths: { include: ["/**"], exclude: [] },
  ...change
})

/** Replaces the settings document with one whose `widget` is `widgetSettings(change)` (the rest: defaults, or `document`). */
export async function setWidgetSettings(gw: { readonly url: string }, change: Partial<WidgetSettingsInput> = {}, document: Record<string, unknown> = {}): Promise<void> {
  const answer = await fetch(`${gw.url}/api/v1/settings`, {
    method: "PUT",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ ...document, widget: widgetSettings(change) })
  })
  if (answer.status !== 200) throw new Error(`PUT /api/v1/settings answered ${answer.status}: ${await answer.text()}`)
}

export type { TestGateway }

/** Office hours closed now, opening tomorrow at 08:30 (in the zone), whatever day it is. */
export function closedUntilTomorrow(timezone = "Europe/Amsterdam"): { readonly officeHours: unknown; readonly tomorrow: string } {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date())
  const tomorrow = new Date(Date.parse(`${today}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
  const closed = { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] }
  return { officeHours: { timezone, weekly: closed, overrides: { [tomorrow]: [{ open: "08:30", close: "17:00" }] } }, tomorrow }
}
