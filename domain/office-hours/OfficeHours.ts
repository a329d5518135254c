/**
 * OfficeHours: when the municipality's contact centre is open, in its own zone, with Dutch public
 * holidays — pure functions, no I/O, no clock (callers pass the instant). The playbook's
 * out-of-hours reply, follow-ups, the widget and the preview route are built on it.
 * Rules and examples: docs/office-hours.md.
 */
export { addDays, isCalendarDate, weekdayOf } from "./calendar.ts"
export { formatNextOpen, type ResidentLanguage } from "./format.ts"
export {
  dutchPublicHolidays, dutchPublicHolidaysOn, easterSunday, type Holiday, type HolidayId, type HolidayRules, kingsDay,
  liberationDayCloses
} from "./holidays.ts"
export { officeHoursPreview, type OfficeHoursPreview } from "./preview.ts"
export {
  type ClosedDay, closedDaysBetween, closedPeriodKey, dayPlan, type DayPlan, HORIZON_DAYS, isOpen, nextClose, nextOpen,
  type OpenPeriod, openPeriodsBetween, openPeriodsOn
} from "./schedule.ts"
export {
  defaultOfficeHours, type GoodFridayRule, type LiberationDayRule, type OfficeHoursSettings, type OpeningSlot, type Weekday,
  WEEKDAYS, type WallTime
} from "./settings.ts"
export { instantOfWallTime, isValidTimezone, localDate, localDateTime, offsetAt } from "./zone.ts"
