/**
 * The `widget` settings the widget routes read, and whether the contact centre is open now.
 * Interim: held in memory (off until set) until the settings document (`Settings.current`) lands;
 * then `current` reads its `widget` key and `replace` goes.
 */
import { Context, Effect, Layer, Ref } from "effect"
import type { OpenNow, WidgetSettingsInput } from "../../domain/widget/config.ts"

export const WIDGET_DEFAULTS: WidgetSettingsInput = {
  enabled: false,
  percentage: 100,
  number: "",
  text: "",
  paths: { include: ["/**"], exclude: [] }
}

export class WidgetSettings extends Context.Service<WidgetSettings, {
  readonly current: Effect.Effect<WidgetSettingsInput>
  readonly replace: (settings: WidgetSettingsInput) => Effect.Effect<void>
  /** Open now, and the next opening: always open until the office-hours service exists. */
  readonly openNow: Effect.Effect<OpenNow>
}>()("loket/actors/WidgetSettings") {
  static readonly layer = Layer.effect(
    WidgetSettings,
    Effect.gen(function*() {
      const ref = yield* Ref.make(WIDGET_DEFAULTS)
      return {
        current: Ref.get(ref),
        replace: (settings: WidgetSettingsInput) => Ref.set(ref, settings),
        openNow: Effect.succeed({ open: true, nextOpen: null })
      }
    })
  )
}
