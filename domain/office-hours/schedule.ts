/**
 * When the office is open: the opening periods of each local date (weekly slots, holidays,
 * closed dates, overrides), and the questions the playbook asks of them — open now? when next
 * open? when next closed? which closed period is this?
 *
 * Precedence per date, first match wins: an override (its slots, `[]` closes) → a closed date →
 * a closing Dutch public holiday (with `holidays: "nl"`) → the weekday's slots.
 */
import { addDays, weekdayOf } from "./calendar.ts"
import { dutchPublicHolidaysOn } from "./holidays.ts"
import type { OfficeHoursSettings, OpeningSlot } from "./settings.ts"
import { instantOfWallTime, localDate } from "./zone.ts"

/** An opening period as UTC instants (ms since the epoch): open from `from`, closed again at `until`. */
export interface OpenPeriod {
  readonly from: number
  readonly until: number
}

/**
 * Why a date is closed as a whole: a holiday's Dutch name (`"Koningsdag"`, `"Tweede Paasdag"`, two
 * names joined by `" en "` when they share a date), `"closedDates"`, or `"override"` (an override with `[]`).
 * A weekday without slots in `weekly` is not a closed day: it is the ordinary week.
 */
export interface ClosedDay {
  readonly date: string
  readonly reason: string
  readonly kind: "holiday" | "closedDates" | "override"
  /** For holidays: the names in both languages. */
  readonly names?: { readonly nl: string; readonly en: string }
}

export interface DayPlan {
  readonly date: string
  readonly slots: ReadonlyArray<OpeningSlot>
  readonly closed?: ClosedDay
}

/** Nothing opens further ahead than this many days: `nextOpen` and `nextClose` answer null. */
export const HORIZON_DAYS = 400

export function dayPlan(settings: OfficeHoursSettings, date: string): DayPlan {
  const override = settings.overrides?.[date]
  if (override !== undefined) {
    return override.length === 0 ? { date, slots: [], closed: { date, reason: "override", kind: "override" } } : { date, slots: override }
  }
  if (settings.closedDates?.includes(date) === true) return { date, slots: [], closed: { date, reason: "closedDates", kind: "closedDates" } }
  if ((settings.holidays ?? "nl") === "nl") {
    const holidays = dutchPublicHolidaysOn(date, settings)
    if (holidays.length > 0) {
      const names = { nl: holidays.map((h) => h.name.nl).join(" en "), en: holidays.map((h) => h.name.en).join(" and ") }
      return { date, slots: [], closed: { date, reason: names.nl, kind: "holiday", names } }
    }
  }
  return { date, slots: settings.weekly[weekdayOf(date)] ?? [] }
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))

/** The opening periods of one local date, sorted, overlapping slots merged, empty ones (e.g. inside the spring gap) dropped. */
export function openPeriodsOn(settings: OfficeHoursSettings, date: string): ReadonlyArray<OpenPeriod> {
  const periods = dayPlan(settings, date).slots
    .map((slot) => ({
      from: instantOfWallTime(date, minutesOf(slot.open), settings.timezone),
      until: instantOfWallTime(date, minutesOf(slot.close), settings.timezone)
    }))
    .filter((p) => p.until > p.from)
    .sort((a, b) => a.from - b.from)
  return mergePeriods(periods)
}

function mergePeriods(sorted: ReadonlyArray<OpenPeriod>): Array<OpenPeriod> {
  const merged: Array<OpenPeriod> = []
  for (const p of sorted) {
    const last = merged[merged.length - 1]
    if (last !== undefined && p.from <= last.until) merged[merged.length - 1] = { from: last.from, until: Math.max(last.until, p.until) }
    else merged.push(p)
  }
  return merged
}

/** Opening periods of `days` local dates from `fromDate` on, in order; one that runs on past midnight (24:00 + 00:00) is one period. */
export function openPeriodsBetween(settings: OfficeHoursSettings, fromDate: string, days: number): ReadonlyArray<OpenPeriod> {
  const all: Array<OpenPeriod> = []
  for (let i = 0; i < days; i++) all.push(...openPeriodsOn(settings, addDays(fromDate, i)))
  return mergePeriods(all)
}

/** The dates among `days` local dates from `fromDate` on that are closed as a whole, and why. */
export function closedDaysBetween(settings: OfficeHoursSettings, fromDate: string, days: number): ReadonlyArray<ClosedDay> {
  const closed: Array<ClosedDay> = []
  for (let i = 0; i < days; i++) {
    const plan = dayPlan(settings, addDays(fromDate, i))
    if (plan.closed !== undefined) closed.push(plan.closed)
  }
  return closed
}

/** Periods from the local date before `at` on, one day at a time, up to HORIZON_DAYS after `at`'s date. */
function* periodsAround(settings: OfficeHoursSettings, at: number): Generator<OpenPeriod> {
  const start = addDays(localDate(at, settings.timezone), -1)
  for (let i = 0; i <= HORIZON_DAYS + 1; i++) yield* openPeriodsOn(settings, addDays(start, i))
}

export function isOpen(settings: OfficeHoursSettings, at: Date): boolean {
  const t = at.getTime()
  const date = localDate(t, settings.timezone)
  for (let i = -1; i <= 1; i++) {
    for (const p of openPeriodsOn(settings, addDays(date, i))) if (p.from <= t && t < p.until) return true
  }
  return false
}

/** The first instant at or after `at` at which the office is open: `at` itself while open; null when nothing opens within HORIZON_DAYS. */
export function nextOpen(settings: OfficeHoursSettings, at: Date): Date | null {
  const t = at.getTime()
  for (const p of periodsAround(settings, t)) if (p.until > t) return new Date(Math.max(p.from, t))
  return null
}

/**
 * The first instant after `at` at which the office closes: while open, the end of the current period
 * (slots that touch, e.g. 24:00 and 00:00, count as one); while closed, the end of the next period.
 * Null when no period starts within HORIZON_DAYS.
 */
export function nextClose(settings: OfficeHoursSettings, at: Date): Date | null {
  const t = at.getTime()
  let current: OpenPeriod | undefined
  for (const p of periodsAround(settings, t)) {
    if (current === undefined) {
      if (p.until > t) current = p
    } else if (p.from <= current.until) {
      current = { from: current.from, until: Math.max(current.until, p.until) }
    } else break
  }
  return current === undefined ? null : new Date(current.until)
}

/**
 * A stable key for the closed period `at` falls in, or null while open: the ISO instant of the next
 * opening, so every instant of one evening, weekend or holiday shares it and the next one differs.
 * `"closed-beyond-horizon"` when nothing opens within HORIZON_DAYS.
 */
export function closedPeriodKey(settings: OfficeHoursSettings, at: Date): string | null {
  if (isOpen(settings, at)) return null
  const opening = nextOpen(settings, at)
  return opening === null ? "closed-beyond-horizon" : opening.toISOString()
}
