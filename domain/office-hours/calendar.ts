/**
 * Plain calendar dates (`YYYY-MM-DD`, no zone): parsing, adding days, weekdays. Arithmetic runs on
 * UTC midnights, which have no daylight-saving changes.
 */
import { WEEKDAYS, type Weekday } from "./settings.ts"

const DAY_MS = 86_400_000
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** True for a real calendar date written `YYYY-MM-DD` (so not `2026-02-30`). */
export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text)
  if (m === null) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const utc = new Date(Date.UTC(y, mo - 1, d))
  return utc.getUTCFullYear() === y && utc.getUTCMonth() === mo - 1 && utc.getUTCDate() === d
}

export function dateFromParts(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`
}

export function dateParts(date: string): { year: number; month: number; day: number } {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) }
}

const toUtcMidnight = (date: string) => {
  const { year, month, day } = dateParts(date)
  return Date.UTC(year, month - 1, day)
}

export function addDays(date: string, days: number): string {
  return new Date(toUtcMidnight(date) + days * DAY_MS).toISOString().slice(0, 10)
}

/** Whole days from `a` to `b` (`b - a`). */
export function daysBetween(a: string, b: string): number {
  return Math.round((toUtcMidnight(b) - toUtcMidnight(a)) / DAY_MS)
}

export function weekdayOf(date: string): Weekday {
  // getUTCDay: 0 = Sunday; WEEKDAYS starts on Monday.
  return WEEKDAYS[(new Date(toUtcMidnight(date)).getUTCDay() + 6) % 7]!
}
