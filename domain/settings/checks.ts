/** Small checks the settings modules share: times of day, calendar dates, placeholders. */
import { Schema } from "effect"

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

/** "HH:MM", 00:00 to 23:59. */
export const TimeOfDay = Schema.String.check(Schema.makeFilter((s: string) =>
  HHMM.test(s) ? undefined : `expected HH:MM (00:00–23:59), got ${JSON.stringify(s)}`
)).annotate({ description: "HH:MM, 00:00 to 23:59", examples: ["08:30"] })

/** Whether `s` is YYYY-MM-DD and a day the calendar has (no 2026-02-30). */
export function isRealDate(s: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (match === null) return false
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

export const dateProblem = (s: string) => `expected a real date as YYYY-MM-DD (e.g. 2026-12-24), got ${JSON.stringify(s)}`

/** "YYYY-MM-DD", a real date. */
export const CalendarDate = Schema.String.check(Schema.makeFilter((s: string) => isRealDate(s) ? undefined : dateProblem(s)))
  .annotate({ description: "YYYY-MM-DD, a real date", examples: ["2026-12-24"] })

/** A text residents get, in which only the named `{{placeholders}}` may appear. */
export function TextWith(placeholders: ReadonlyArray<string>, maxLength = 4096) {
  return Schema.String.check(Schema.makeFilter((s: string) => {
    if (s.trim().length === 0) return "expected a text, got an empty one"
    if (s.length > maxLength) return `expected at most ${maxLength} characters, got ${s.length}`
    const unknown = [...s.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]!).filter((name) => !placeholders.includes(name))
    if (unknown.length === 0) return undefined
    const known = placeholders.length === 0 ? "this text has no placeholders" : `placeholders that exist here: ${placeholders.map((p) => `{{${p}}}`).join(", ")}`
    return `unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(", ")}; ${known}`
  })).annotate({ description: placeholders.length === 0 ? "text" : `text; placeholders: ${placeholders.map((p) => `{{${p}}}`).join(", ")}` })
}

/** A host name such as gemeente.nl (no scheme, no path). */
export const Domain = Schema.String.check(Schema.makeFilter((s: string) =>
  /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(s) ? undefined : `expected a domain such as gemeente.nl (no https://, no path), got ${JSON.stringify(s)}`
))
