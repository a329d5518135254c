/**
 * The office-hours preview document (`GET /api/v1/office-hours`): the opening periods of a range of
 * local dates as UTC instants, the dates closed as a whole and why, and the first opening at or after now.
 */
import { closedDaysBetween, nextOpen, openPeriodsBetween } from "./schedule.ts"
import type { OfficeHoursSettings } from "./settings.ts"

export interface OfficeHoursPreview {
  readonly timezone: string
  readonly open: ReadonlyArray<{ readonly from: string; readonly until: string }>
  readonly closed: ReadonlyArray<{ readonly date: string; readonly reason: string }>
  readonly nextOpen: string | null
}

export function officeHoursPreview(
  officeHours: OfficeHoursSettings,
  range: { readonly from: string; readonly days: number; readonly now: Date }
): OfficeHoursPreview {
  const opening = nextOpen(officeHours, range.now)
  return {
    timezone: officeHours.timezone,
    open: openPeriodsBetween(officeHours, range.from, range.days).map((p) => ({
      from: new Date(p.from).toISOString(),
      until: new Date(p.until).toISOString()
    })),
    closed: closedDaysBetween(officeHours, range.from, range.days).map(({ date, reason }) => ({ date, reason })),
    nextOpen: opening === null ? null : opening.toISOString()
  }
}
