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

/** Replaces the settings document with one whose `widget` is `widgetSettings(change)` (the rest: defaults). */
export async function setWidgetSettings(gw: { readonly url: string }, change: Partial<WidgetSettingsInput> = {}): Promise<void> {
  const answer = await fetch(`${gw.url}/api/v1/settings`, {
    method: "PUT",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ widget: widgetSettings(change) })
  })
  if (answer.status !== 200) throw new Error(`PUT /api/v1/settings answered ${answer.status}: ${await answer.text()}`)
}

export type { TestGateway }
