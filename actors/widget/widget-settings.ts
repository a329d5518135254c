/**
 * What the widget routes read from the settings document (`Settings.current`, from memory): the
 * `widget` key, the residents' default language, and whether the contact centre is open now.
 */
import { Clock, Effect } from "effect"
import type { OpenNow, WidgetSettingsInput } from "../../domain/widget/config.ts"
import type { SettingsDocument } from "../../domain/settings/mod.ts"
import { Settings } from "../settings/Settings.ts"

export interface WidgetSettingsNow {
  readonly widget: WidgetSettingsInput
  readonly language: "nl" | "en"
  readonly now: OpenNow
}

/**
 * Open now, and the next opening (an ISO instant) when closed: the one place the widget learns
 * office hours. Not wired yet — always open — until the office-hours rules are on main; then
 * `isOpen(document.officeHours, at)` / `nextOpen(…)` from domain/office-hours go here.
 */
export function openNow(_document: SettingsDocument, _at: Date): OpenNow {
  return { open: true, nextOpen: null }
}

export const widgetSettingsNow: Effect.Effect<WidgetSettingsNow, never, Settings> = Effect.gen(function*() {
  const document = yield* Settings.use((s) => s.current)
  const at = yield* Clock.currentTimeMillis
  return { widget: document.widget, language: document.language, now: openNow(document, new Date(at)) }
})
