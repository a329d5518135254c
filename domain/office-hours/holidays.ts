/**
 * Dutch public holidays (feestdagen) for any year, with Easter computed by the anonymous
 * Gregorian algorithm (Meeus/Jones/Butcher). Which of them close the office follows the settings:
 * Bevrijdingsdag by `liberationDay`, Goede Vrijdag by `goodFriday`.
 */
import { addDays, dateFromParts, weekdayOf } from "./calendar.ts"
import type { GoodFridayRule, LiberationDayRule } from "./settings.ts"

export type HolidayId =
  | "nieuwjaarsdag" | "goede-vrijdag" | "eerste-paasdag" | "tweede-paasdag" | "koningsdag" | "bevrijdingsdag"
  | "hemelvaartsdag" | "eerste-pinksterdag" | "tweede-pinksterdag" | "eerste-kerstdag" | "tweede-kerstdag"

export interface Holiday {
  readonly id: HolidayId
  /** `YYYY-MM-DD`. */
  readonly date: string
  readonly name: { readonly nl: string; readonly en: string }
}

export interface HolidayRules {
  readonly liberationDay?: LiberationDayRule
  readonly goodFriday?: GoodFridayRule
}

const NAMES: Record<HolidayId, Holiday["name"]> = {
  "nieuwjaarsdag": { nl: "Nieuwjaarsdag", en: "New Year's Day" },
  "goede-vrijdag": { nl: "Goede Vrijdag", en: "Good Friday" },
  "eerste-paasdag": { nl: "Eerste Paasdag", en: "Easter Sunday" },
  "tweede-paasdag": { nl: "Tweede Paasdag", en: "Easter Monday" },
  "koningsdag": { nl: "Koningsdag", en: "King's Day" },
  "bevrijdingsdag": { nl: "Bevrijdingsdag", en: "Liberation Day" },
  "hemelvaartsdag": { nl: "Hemelvaartsdag", en: "Ascension Day" },
  "eerste-pinksterdag": { nl: "Eerste Pinksterdag", en: "Whit Sunday" },
  "tweede-pinksterdag": { nl: "Tweede Pinksterdag", en: "Whit Monday" },
  "eerste-kerstdag": { nl: "Eerste Kerstdag", en: "Christmas Day" },
  "tweede-kerstdag": { nl: "Tweede Kerstdag", en: "Boxing Day" }
}

/** Easter Sunday of a Gregorian year, `YYYY-MM-DD` (anonymous Gregorian algorithm). */
export function easterSunday(year: number): string {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return dateFromParts(year, month, day)
}

/** Koningsdag: 27 April, or Saturday 26 April when the 27th is a Sunday. */
export function kingsDay(year: number): string {
  const date = dateFromParts(year, 4, 27)
  return weekdayOf(date) === "sunday" ? dateFromParts(year, 4, 26) : date
}

/** Whether Bevrijdingsdag closes the office in `year`: lustrum years are multiples of five (2025, 2030, …). */
export function liberationDayCloses(year: number, rule: LiberationDayRule = "lustrum"): boolean {
  return rule === "yearly" || (rule === "lustrum" && year % 5 === 0)
}

/**
 * The Dutch public holidays of `year` on which the office is closed under `rules`, in date order.
 * Goede Vrijdag is listed only when `goodFriday: "closed"`, Bevrijdingsdag only in the years
 * `liberationDay` closes it. Two holidays may share a date (Hemelvaartsdag on 5 May when Easter is 27 March, as in 2016).
 */
export function dutchPublicHolidays(year: number, rules: HolidayRules = {}): ReadonlyArray<Holiday> {
  const easter = easterSunday(year)
  const list: Array<[HolidayId, string]> = [
    ["nieuwjaarsdag", dateFromParts(year, 1, 1)],
    ...((rules.goodFriday ?? "open") === "closed" ? [["goede-vrijdag", addDays(easter, -2)] as [HolidayId, string]] : []),
    ["eerste-paasdag", easter],
    ["tweede-paasdag", addDays(easter, 1)],
    ["koningsdag", kingsDay(year)],
    ...(liberationDayCloses(year, rules.liberationDay) ? [["bevrijdingsdag", dateFromParts(year, 5, 5)] as [HolidayId, string]] : []),
    ["hemelvaartsdag", addDays(easter, 39)],
    ["eerste-pinksterdag", addDays(easter, 49)],
    ["tweede-pinksterdag", addDays(easter, 50)],
    ["eerste-kerstdag", dateFromParts(year, 12, 25)],
    ["tweede-kerstdag", dateFromParts(year, 12, 26)]
  ]
  return list
    .map(([id, date]) => ({ id, date, name: NAMES[id] }))
    .sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0))
}

/** The closing holidays on one date (usually none, at most two). */
export function dutchPublicHolidaysOn(date: string, rules: HolidayRules = {}): ReadonlyArray<Holiday> {
  return dutchPublicHolidays(Number(date.slice(0, 4)), rules).filter((h) => h.date === date)
}
