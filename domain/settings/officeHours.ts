/** `officeHours`: when the contact centre is open (weekly slots, holidays, closed dates, special hours). */
import { Schema } from "effect"
import { CalendarDate, dateProblem, isRealDate, TimeOfDay } from "./checks.ts"

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const
export type Weekday = typeof WEEKDAYS[number]

/** One opening period on a day: open at `open`, closed from `close`. */
export const Slot = Schema.Struct({ open: TimeOfDay, close: TimeOfDay }).check(Schema.makeFilter((slot) =>
  slot.close > slot.open ? undefined : { path: ["close"], issue: `close ${slot.close} must come after open ${slot.open}` }
))
export type Slot = typeof Slot.Type

/** A day's slots (several for split shifts), none overlapping; `[]` is closed. */
export const Slots = Schema.Array(Slot).check(Schema.makeFilter((slots) => {
  const order = slots.map((slot, i) => ({ slot, i })).sort((a, b) => a.slot.open.localeCompare(b.slot.open))
  const issues: Array<{ path: Array<PropertyKey>; issue: string }> = []
  let latest = order[0]
  for (const current of order.slice(1)) {
    if (latest !== undefined && current.slot.open < latest.slot.close) {
      issues.push({ path: [current.i], issue: `${current.slot.open}–${current.slot.close} overlaps ${latest.slot.open}–${latest.slot.close} (slot ${latest.i}); slots on one day must not overlap` })
    }
    if (latest === undefined || current.slot.close > latest.slot.close) latest = current
  }
  return issues
}))

export const Weekly = Schema.Struct(Object.fromEntries(WEEKDAYS.map((day) => [day, Slots])) as { [D in Weekday]: typeof Slots })
  .annotate({ description: "The seven weekdays, each a list of {open, close} slots; [] is closed." })

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone })
    return true
  } catch {
    return false
  }
}

export const TimeZone = Schema.String.check(Schema.makeFilter((s: string) =>
  isTimeZone(s) ? undefined : `expected an IANA time zone such as Europe/Amsterdam, got ${JSON.stringify(s)}`
))

export const OfficeHours = Schema.Struct({
  timezone: TimeZone,
  weekly: Weekly,
  holidays: Schema.Literals(["nl", "none"]).annotate({ description: "nl: Dutch public holidays are closed; none: ignored." }),
  closedDates: Schema.Array(CalendarDate),
  overrides: Schema.Record(Schema.String, Slots).check(Schema.makeFilter((overrides) =>
    Object.keys(overrides).filter((key) => !isRealDate(key)).map((key) => ({ path: [key], issue: dateProblem(key) }))
  )).annotate({ description: "Special hours on one date (YYYY-MM-DD → slots); [] closes that date." }),
  liberationDay: Schema.Literals(["lustrum", "yearly", "never"]).annotate({ description: "Bevrijdingsdag (5 May) closed: lustrum (2025, 2030, …), yearly or never." }),
  goodFriday: Schema.Literals(["open", "closed"]).annotate({ description: "Goede Vrijdag." })
})
export type OfficeHours = typeof OfficeHours.Type

const weekday = (open: string, close: string) => [{ open, close }]

export const defaultOfficeHours = (timezone: string): OfficeHours => ({
  timezone,
  weekly: {
    monday: weekday("08:30", "17:00"),
    tuesday: weekday("08:30", "17:00"),
    wednesday: weekday("08:30", "17:00"),
    thursday: weekday("08:30", "17:00"),
    friday: weekday("08:30", "17:00"),
    saturday: [],
    sunday: []
  },
  holidays: "nl",
  closedDates: [],
  overrides: {},
  liberationDay: "lustrum",
  goodFriday: "open"
})

/** A `weekly` that is given is taken whole: a weekday it leaves out is closed. */
export const closedWeek = (): Record<Weekday, Array<Slot>> =>
  Object.fromEntries(WEEKDAYS.map((day) => [day, []])) as unknown as Record<Weekday, Array<Slot>>
