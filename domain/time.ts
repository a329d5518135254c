/**
 * Time as Loket reads it: from Effect's `Clock`, so tests move it with `TestClock` (office hours,
 * follow-ups, windows, timers) instead of waiting. Times are ISO 8601 strings in UTC.
 */
import { Clock, Effect } from "effect"

/** Milliseconds since the epoch, by the fiber's Clock. */
export const nowMillis: Effect.Effect<number> = Clock.currentTimeMillis

/** Now as an ISO 8601 string in UTC (`Date#toISOString`, so times sort as text). */
export const nowIso: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

/** `ms` from now, as an ISO string. */
export const isoIn = (ms: number): Effect.Effect<string> => Effect.map(Clock.currentTimeMillis, (now) => new Date(now + ms).toISOString())
