/**
 * Wall-clock time in an IANA zone, through luxon's IANAZone (the zone database Node's Intl carries):
 * the offset at an instant, the local date and time of an instant, and the instant a local
 * wall-clock time starts — also on the days daylight saving starts and ends.
 */
import { IANAZone } from "luxon"
import { dateParts } from "./calendar.ts"

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000

export function isValidTimezone(name: string): boolean {
  return IANAZone.isValidZone(name)
}

const zones = new Map<string, IANAZone>()
function zone(name: string): IANAZone {
  let found = zones.get(name)
  if (found === undefined) {
    if (!IANAZone.isValidZone(name)) throw new RangeError(`Unknown IANA time zone "${name}" in officeHours.timezone (e.g. "Europe/Amsterdam").`)
    found = IANAZone.create(name) as IANAZone
    zones.set(name, found)
  }
  return found
}

/** The zone's offset from UTC at an instant, in milliseconds (Amsterdam: +1 h in winter, +2 h in summer). */
export function offsetAt(ms: number, timezone: string): number {
  return zone(timezone).offset(ms) * MINUTE_MS
}

/** The local date (`YYYY-MM-DD`) and minutes since local midnight of an instant. */
export function localDateTime(ms: number, timezone: string): { date: string; minutes: number } {
  const local = new Date(ms + offsetAt(ms, timezone))
  return { date: local.toISOString().slice(0, 10), minutes: local.getUTCHours() * 60 + local.getUTCMinutes() }
}

export function localDate(ms: number, timezone: string): string {
  return localDateTime(ms, timezone).date
}

/**
 * The first instant at which the local clock on `date` reads `minutes` after midnight or later.
 * An ordinary time has one instant. A time the clock skips in spring (02:00–02:59 in Amsterdam on the
 * last Sunday of March) maps to the first instant after the gap (03:00 summer time). A time the clock
 * shows twice in autumn (02:00–02:59 on the last Sunday of October) maps to its first showing (summer time).
 * `minutes` may be 1440 (24:00): the next day's midnight.
 */
export function instantOfWallTime(date: string, minutes: number, timezone: string): number {
  const { year, month, day } = dateParts(date)
  const wall = Date.UTC(year, month - 1, day) + minutes * MINUTE_MS
  const before = offsetAt(wall - DAY_MS, timezone)
  const after = offsetAt(wall + DAY_MS, timezone)
  const candidates = [wall - before, wall - after].filter((t) => offsetAt(t, timezone) === wall - t)
  if (candidates.length > 0) return Math.min(...candidates)
  // In the spring gap: the transition lies between wall - after (still the old offset) and
  // wall - before (already the new one); it is the first instant whose clock reads past `minutes`.
  let lo = wall - after
  let hi = wall - before
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (offsetAt(mid, timezone) === before) lo = mid
    else hi = mid
  }
  return hi
}
