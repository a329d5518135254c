/**
 * The `officeHours` key of the settings document, as the office-hours rules read it. The settings
 * service validates the document (and fills `timezone` from LOKET_TIMEZONE); these functions trust it.
 */

/** A local wall-clock time, `HH:MM` (00:00–23:59; `close` may also be `24:00`, the end of the day). */
export type WallTime = string

/** One opening slot on a day, in local wall-clock time: open at `open`, closed again at `close`. */
export interface OpeningSlot {
  readonly open: WallTime
  readonly close: WallTime
}

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const
export type Weekday = typeof WEEKDAYS[number]

/** Bevrijdingsdag (5 May): closed every fifth year (2025, 2030, …), every year, or never. */
export type LiberationDayRule = "lustrum" | "yearly" | "never"
/** Goede Vrijdag: open (the default) or closed. */
export type GoodFridayRule = "open" | "closed"

export interface OfficeHoursSettings {
  /** IANA zone, e.g. `Europe/Amsterdam`; every wall-clock time and date below is read in it. */
  readonly timezone: string
  /** The slots of each weekday; a missing or empty weekday has no opening hours. */
  readonly weekly: Partial<Record<Weekday, ReadonlyArray<OpeningSlot>>>
  /** `"nl"`: Dutch public holidays are closed (default); `"none"`: holidays are ordinary days. */
  readonly holidays?: "nl" | "none"
  /** Extra closed dates, `YYYY-MM-DD` in the zone. */
  readonly closedDates?: ReadonlyArray<string>
  /** Special hours on one date (`YYYY-MM-DD`): they replace everything else that day; `[]` closes it. */
  readonly overrides?: Readonly<Record<string, ReadonlyArray<OpeningSlot>>>
  /** Default `"lustrum"`. */
  readonly liberationDay?: LiberationDayRule
  /** Default `"open"`. */
  readonly goodFriday?: GoodFridayRule
}

/** Monday to Friday 08:30–17:00, Dutch public holidays closed: what Loket uses until settings say otherwise. */
export function defaultOfficeHours(timezone = "Europe/Amsterdam"): OfficeHoursSettings {
  const day = [{ open: "08:30", close: "17:00" }]
  return {
    timezone,
    weekly: { monday: day, tuesday: day, wednesday: day, thursday: day, friday: day, saturday: [], sunday: [] },
    holidays: "nl",
    closedDates: [],
    overrides: {},
    liberationDay: "lustrum",
    goodFriday: "open"
  }
}
