/**
 * What the widget routes read from the settings document (`Settings.current`, from memory): the
 * `widget` key, the residents' default language, and whether the contact centre is open now.
 */
import { Clock, Effect } from "effect"
import { formatNextOpen, isOpen, nextOpen } from "../../domain/office-hours/OfficeHours.ts"
import type { OpenNow, WidgetSettingsInput } from "../../domain/widget/config.ts"
import type { SettingsDocument } from "../../domain/settings/mod.ts"
import { Settings } from "../settings/Settings.ts"

export interface WidgetSettingsNow {
  readonly widget: WidgetSettingsInput
  readonly language: "nl" | "en"
  readonly now: OpenNow
  /** The office hours' zone. */
  readonly timezone: string
  /** The next opening in words ("donderdag 3 december om 08:30"), both languages; null while open. */
  readonly nextOpenText: { readonly nl: string; readonly en: string } | null
}

/**
 * Open now, and the next opening (an ISO instant) when closed: the one place the widget learns
 * office hours — the settings' `officeHours` (weekly slots, holidays, closed dates, overrides).
 */
export function openNow(document: SettingsDocument, at: Date): OpenNow {
  if (isOpen(document.officeHours, at)) return { open: true, nextOpen: null }
  return { open: false, nextOpen: nextOpen(document.officeHours, at)?.toISOString() ?? null }
}

export const widgetSettingsNow: Effect.Effect<WidgetSettingsNow, never, Settings> = Effect.gen(function*() {
  const document = yield* Settings.use((s) => s.current)
  const at = yield* Clock.currentTimeMillis
  const now = openNow(document, new Date(at))
  const timezone = document.officeHours.timezone
  const nextOpenText = now.nextOpen === null
    ? null
    : { nl: formatNextOpen(new Date(now.nextOpen), timezone, "nl"), en: formatNextOpen(new Date(now.nextOpen), timezone, "en") }
  return { widget: document.widget, language: document.language, now, timezone, nextOpenText }
})
