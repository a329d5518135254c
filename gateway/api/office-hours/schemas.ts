/** The query of `GET /api/v1/office-hours` and the shape of its answer; they validate requests and feed the OpenAPI document. */
import { Schema } from "effect"
import { isCalendarDate } from "../../../domain/office-hours/OfficeHours.ts"

export const MAX_PREVIEW_DAYS = 400
export const DEFAULT_PREVIEW_DAYS = 7

const CalendarDate = Schema.String.check(
  Schema.isPattern(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date written YYYY-MM-DD, e.g. 2026-12-01" }),
  Schema.makeFilter((text: string) => isCalendarDate(text) || "must be a real date (no 30 February), written YYYY-MM-DD")
)

const PreviewDays = Schema.NumberFromString.check(
  Schema.isInt({ message: `must be a whole number of days, 1 to ${MAX_PREVIEW_DAYS}` }),
  Schema.isBetween({ minimum: 1, maximum: MAX_PREVIEW_DAYS }, { message: `must be 1 to ${MAX_PREVIEW_DAYS} days` })
)

export const OfficeHoursPreviewQuery = Schema.Struct({
  from: Schema.optionalKey(CalendarDate),
  days: Schema.optionalKey(PreviewDays)
})

/**
 * The query as OpenAPI parameters, written out: the JSON Schema Effect derives from the checks above
 * keeps neither the date format nor the bounds of a number read from a string.
 */
export const officeHoursPreviewParameters = [
  {
    name: "from", in: "query", required: false, schema: { type: "string", format: "date", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
    description: "The first date of the preview, YYYY-MM-DD in the office-hours zone (default: today there)."
  },
  {
    name: "days", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: MAX_PREVIEW_DAYS, default: DEFAULT_PREVIEW_DAYS },
    description: `How many dates, 1 to ${MAX_PREVIEW_DAYS} (default ${DEFAULT_PREVIEW_DAYS}).`
  }
]

export const OfficeHoursPreviewDocument = Schema.Struct({
  timezone: Schema.String.annotate({ description: "IANA zone the office hours are kept in" }),
  open: Schema.Array(Schema.Struct({
    from: Schema.String.annotate({ description: "ISO 8601 instant, UTC" }),
    until: Schema.String.annotate({ description: "ISO 8601 instant, UTC" })
  })).annotate({ description: "The opening periods of the dates, in order" }),
  closed: Schema.Array(Schema.Struct({
    date: Schema.String.annotate({ description: "YYYY-MM-DD" }),
    reason: Schema.String.annotate({ description: "The holiday's Dutch name (Koningsdag, Tweede Paasdag, …), closedDates or override" })
  })).annotate({ description: "Dates closed as a whole; weekdays without opening hours are not listed" }),
  nextOpen: Schema.NullOr(Schema.String).annotate({ description: "The first instant at or after now the office is open (now itself while open); null when nothing opens within 400 days" })
}).annotate({ identifier: "OfficeHoursPreview" })
