/**
 * The next opening as a resident reads it: `"maandag 1 december om 08:30"`, `"Monday 1 December at 08:30"`.
 * Given `now`, an opening later today reads `"vandaag om 13:00"` / `"today at 13:00"` and one tomorrow
 * `"morgen om 08:30"` / `"tomorrow at 08:30"` (both in the zone's dates), and one 300 days or more
 * ahead carries its year (`"dinsdag 5 januari 2027 om 08:30"`). Without `now`, always the weekday and date.
 */
import { addDays, dateParts, weekdayOf } from "./calendar.ts"
import { WEEKDAYS } from "./settings.ts"
import { localDateTime } from "./zone.ts"

export type ResidentLanguage = "nl" | "en"

const WORDS = {
  nl: {
    weekdays: ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    months: ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
    at: "om", today: "vandaag", tomorrow: "morgen"
  },
  en: {
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    months: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    at: "at", today: "today", tomorrow: "tomorrow"
  }
} as const

const YEAR_SHOWN_FROM_MS = 300 * 86_400_000

export function formatNextOpen(
  instant: Date,
  timezone: string,
  language: ResidentLanguage = "nl",
  options: { readonly now?: Date } = {}
): string {
  const words = WORDS[language]
  const { date, minutes } = localDateTime(instant.getTime(), timezone)
  const time = `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`
  if (options.now !== undefined) {
    const today = localDateTime(options.now.getTime(), timezone).date
    if (date === today) return `${words.today} ${words.at} ${time}`
    if (date === addDays(today, 1)) return `${words.tomorrow} ${words.at} ${time}`
  }
  const { year, month, day } = dateParts(date)
  const showYear = options.now !== undefined && instant.getTime() - options.now.getTime() >= YEAR_SHOWN_FROM_MS
  const weekday = words.weekdays[WEEKDAYS.indexOf(weekdayOf(date))]
  return `${weekday} ${day} ${words.months[month - 1]}${showYear ? ` ${year}` : ""} ${words.at} ${time}`
}
