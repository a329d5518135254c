/**
 * The municipality's settings document: one Effect Schema composed of one module per key, so a
 * feature extends its own part. What an admin stores may leave keys out; `resolveSettings` fills
 * them with their defaults (texts in the document's language) and validates the whole.
 */
import { Result, Schema } from "effect"
import { Access, defaultAccess } from "./access.ts"
import { AutoReplies, defaultAutoReplies } from "./autoReplies.ts"
import { defaultFollowUp, FollowUp } from "./followUp.ts"
import { defaultLanguage, Language } from "./language.ts"
import { defaultLinkProtection, LinkProtection } from "./linkProtection.ts"
import { closedWeek, defaultOfficeHours, OfficeHours } from "./officeHours.ts"
import { defaultPersonalData, PersonalData } from "./personalData.ts"
import { defaultOutboundPolicy, OutboundPolicy } from "./outboundPolicy.ts"
import { defaultRetention, Retention } from "./retention.ts"
import { defaultWidget, Widget } from "./widget.ts"
import { problemsOf, type SettingsProblem } from "./issues.ts"
import { isPlainObject } from "./mergePatch.ts"

export const SettingsDocument = Schema.Struct({
  language: Language,
  officeHours: OfficeHours,
  autoReplies: AutoReplies,
  followUp: FollowUp,
  personalData: PersonalData,
  linkProtection: LinkProtection,
  outboundPolicy: OutboundPolicy,
  widget: Widget,
  access: Access,
  retention: Retention
}).annotate({ identifier: "Settings", description: "The municipality's settings (GET /api/v1/settings): every key, defaults filled in." })
export type SettingsDocument = typeof SettingsDocument.Type

/** What varies the defaults: the zone (LOKET_TIMEZONE) and the language the texts are in. */
export interface DefaultsContext {
  readonly timezone: string
  readonly language?: Language
}

export function defaultSettings(context: DefaultsContext): SettingsDocument {
  const language = context.language ?? defaultLanguage
  return {
    language,
    officeHours: defaultOfficeHours(context.timezone),
    autoReplies: defaultAutoReplies(language),
    followUp: defaultFollowUp(),
    personalData: defaultPersonalData(language),
    linkProtection: defaultLinkProtection(),
    outboundPolicy: defaultOutboundPolicy(),
    widget: defaultWidget(language),
    access: defaultAccess,
    retention: defaultRetention()
  }
}

/** Paths whose value, when given, is taken whole: a `weekly` that names only monday is closed the rest of the week. */
const TAKEN_WHOLE: Record<string, () => unknown> = { "officeHours.weekly": closedWeek }

function fill(defaults: unknown, value: unknown, path: string): unknown {
  if (value === undefined) return defaults
  const whole = TAKEN_WHOLE[path]
  if (whole !== undefined) defaults = whole()
  if (!isPlainObject(defaults) || !isPlainObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(defaults)) out[key] = fill(defaults[key], value[key], path === "" ? key : `${path}.${key}`)
  for (const key of Object.keys(value)) if (!(key in defaults)) out[key] = value[key]
  return out
}

/** The stored (possibly partial) document with every left-out key at its default. */
export function withDefaults(stored: unknown, timezone: string): unknown {
  const language = isPlainObject(stored) && (stored.language === "nl" || stored.language === "en") ? stored.language : defaultLanguage
  return fill(defaultSettings({ timezone, language }), stored, "")
}

const decode = Schema.decodeUnknownResult(SettingsDocument)
const options = { errors: "all", onExcessProperty: "error", reportInput: true } as const

export type Resolved = { readonly ok: true; readonly document: SettingsDocument } | { readonly ok: false; readonly problems: Array<SettingsProblem> }

/** Validates a stored or submitted document (keys left out take their defaults), listing every problem. */
export function resolveSettings(stored: unknown, timezone: string): Resolved {
  if (!isPlainObject(stored)) return { ok: false, problems: [{ path: "", message: "expected the settings as a JSON object, e.g. {\"language\":\"nl\"}" }] }
  const result = decode(withDefaults(stored, timezone), options)
  return Result.isSuccess(result)
    ? { ok: true, document: result.success }
    : { ok: false, problems: problemsOf(result.failure.issue) }
}

export type { SettingsProblem }
