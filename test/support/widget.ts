/** The widget settings for tests, set the way an IT team sets them. */
import { WidgetSettings } from "../../actors/widget/WidgetSettings.ts"
import type { WidgetSettingsInput } from "../../domain/widget/config.ts"
import type { TestGateway } from "./gateway.ts"

export const WIDGET_NUMBER = "31201234567"

export const widgetSettings = (change: Partial<WidgetSettingsInput> = {}): WidgetSettingsInput => ({
  enabled: true,
  percentage: 100,
  number: WIDGET_NUMBER,
  text: "Hallo gemeente, ik heb een vraag",
  paths: { include: ["/**"], exclude: [] },
  ...change
})

export async function setWidgetSettings(gw: TestGateway, change: Partial<WidgetSettingsInput> = {}): Promise<void> {
  await gw.runtime.runPromise(WidgetSettings.use((s) => s.replace(widgetSettings(change))))
}
