/** `widget`: the click-to-chat button on the municipality's website, rolled out from here. */
import { Schema } from "effect"
import { TextWith } from "./checks.ts"
import { defaultTexts } from "./defaults.ts"
import type { Language } from "./language.ts"

const Percentage = Schema.Number.check(Schema.makeFilter((n: number) =>
  Number.isFinite(n) && n >= 0 && n <= 100 ? undefined : `expected a percentage from 0 to 100, got ${n}`
))

const PhoneNumber = Schema.String.check(Schema.makeFilter((s: string) =>
  s === "" || /^[1-9]\d{7,14}$/.test(s) ? undefined : `expected the WhatsApp number in international format, digits only (e.g. 31612345678), got ${JSON.stringify(s)}`
))

const PathPattern = Schema.String.check(Schema.makeFilter((s: string) => s.startsWith("/") ? undefined : `expected a path starting with / (e.g. /afval/**), got ${JSON.stringify(s)}`))

const Origin = Schema.String.check(Schema.makeFilter((s: string) =>
  /^https?:\/\/[^/\s]+$/.test(s) ? undefined : `expected an origin such as https://www.gemeente.nl (no path), got ${JSON.stringify(s)}`
))

export const Widget = Schema.Struct({
  enabled: Schema.Boolean,
  percentage: Percentage.annotate({ description: "Share of visitors who see the button, 0 to 100." }),
  number: PhoneNumber.annotate({ description: "The WhatsApp number the button opens (digits, international)." }),
  text: TextWith([], 200),
  paths: Schema.Struct({ include: Schema.Array(PathPattern), exclude: Schema.Array(PathPattern) }),
  origins: Schema.optionalKey(Schema.Array(Origin).annotate({ description: "Sites that may embed the widget." })),
  officeHours: Schema.optionalKey(Schema.Literals(["ignore", "hide", "show-next-open"]).annotate({ description: "Outside office hours: show as usual, hide, or show when it opens again." })),
  pageTexts: Schema.optionalKey(Schema.Array(Schema.Struct({ path: PathPattern, text: TextWith([], 200) })).check(Schema.isMaxLength(100))
    .annotate({ description: "Prefilled texts by page, first matching path pattern wins (else text): agents see where the resident came from; at most 100 rules." }))
}).check(Schema.makeFilter((widget) =>
  widget.enabled && widget.number === "" ? { path: ["number"], issue: "expected the WhatsApp number the button opens while the widget is enabled (e.g. 31612345678)" } : undefined
))
export type Widget = typeof Widget.Type

export const defaultWidget = (language: Language): Widget => ({
  enabled: false,
  percentage: 100,
  number: "",
  text: defaultTexts.widget[language],
  paths: { include: ["/**"], exclude: [] }
})
