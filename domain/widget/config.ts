/**
 * What the widget script needs for one page (`GET /widget/config`), computed from the `widget`
 * settings alone: whether the button shows there, the wa.me link with the prefilled text for that
 * page, the share of visitors it is rolled out to, and whether the contact centre is open now.
 * The percentage is applied by the script (a sticky draw per browser session), not here: the
 * answer is the same for every visitor of a page, so it can be cached.
 */
import { waMeLink, normalizeNumber } from "./link.ts"
import { matchesPath, pathInRollout } from "./paths.ts"

export type WidgetOfficeHoursMode = "ignore" | "hide" | "show-next-open"

/** The `widget` settings (contract keys, plus the optional `pageTexts`). */
export interface WidgetSettingsInput {
  readonly enabled: boolean
  readonly percentage: number
  readonly number: string
  readonly text: string
  readonly paths: { readonly include: ReadonlyArray<string>; readonly exclude: ReadonlyArray<string> }
  readonly origins?: ReadonlyArray<string> | undefined
  readonly officeHours?: WidgetOfficeHoursMode | undefined
  /** Prefilled texts by page, first match wins (else `text`): agents see where the resident came from. */
  readonly pageTexts?: ReadonlyArray<{ readonly path: string; readonly text: string }> | undefined
}

/** Whether the contact centre answers now and, if not, its next opening (an ISO instant). */
export interface OpenNow {
  readonly open: boolean
  readonly nextOpen: string | null
}

export type WidgetHiddenReason = "disabled" | "not_configured" | "path_excluded" | "closed"

export interface WidgetConfig {
  /** Whether the button shows on this page (before the percentage draw). */
  readonly show: boolean
  /** Why it does not, when it does not. */
  readonly reason: WidgetHiddenReason | null
  /** Share of browser sessions that get the button (0–100). */
  readonly percentage: number
  /** The number residents chat with (digits, international format), null when none is set. */
  readonly number: string | null
  /** The prefilled text for this page. */
  readonly text: string
  readonly link: string | null
  readonly open: boolean
  readonly nextOpen: string | null
  readonly officeHours: WidgetOfficeHoursMode
}

/** The prefilled text for `path`: the first `pageTexts` rule matching it, else the general text. */
export function textForPath(settings: WidgetSettingsInput, path: string): string {
  return settings.pageTexts?.find((rule) => matchesPath(rule.path, path))?.text ?? settings.text
}

export function widgetConfig(settings: WidgetSettingsInput, page: { readonly path: string; readonly now: OpenNow }): WidgetConfig {
  const number = normalizeNumber(settings.number)
  const text = textForPath(settings, page.path)
  const officeHours = settings.officeHours ?? "ignore"
  const reason: WidgetHiddenReason | null = !settings.enabled
    ? "disabled"
    : number === ""
    ? "not_configured"
    : !pathInRollout(settings.paths, page.path)
    ? "path_excluded"
    : officeHours === "hide" && !page.now.open
    ? "closed"
    : null
  return {
    show: reason === null,
    reason,
    percentage: Math.max(0, Math.min(100, settings.percentage)),
    number: number === "" ? null : number,
    text,
    link: number === "" ? null : waMeLink(number, text),
    open: page.now.open,
    nextOpen: officeHours === "ignore" ? null : page.now.nextOpen,
    officeHours
  }
}
