/** Properties of the schedule for any instant, in zones with different daylight-saving rules. */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { closedPeriodKey, isOpen, nextClose, nextOpen } from "./schedule.ts"
import type { OfficeHoursSettings, OpeningSlot } from "./settings.ts"

const SPLIT: ReadonlyArray<OpeningSlot> = [{ open: "08:30", close: "12:00" }, { open: "13:00", close: "17:00" }]
const NIGHT: ReadonlyArray<OpeningSlot> = [{ open: "01:30", close: "02:45" }, { open: "22:00", close: "24:00" }]

const settingsFor = (timezone: string, sunday: ReadonlyArray<OpeningSlot>): OfficeHoursSettings => ({
  timezone,
  weekly: { monday: SPLIT, tuesday: SPLIT, wednesday: [{ open: "00:00", close: "24:00" }], thursday: SPLIT, friday: SPLIT, saturday: NIGHT, sunday },
  holidays: "nl",
  closedDates: ["2027-03-26"],
  overrides: { "2027-12-31": [{ open: "08:30", close: "12:00" }], "2028-01-03": [] }
})

const SETTINGS = fc.constantFrom(
  settingsFor("Europe/Amsterdam", NIGHT),
  settingsFor("Europe/Amsterdam", []),
  settingsFor("America/New_York", NIGHT), // switches at 02:00 local, other Sundays than Europe
  settingsFor("Australia/Lord_Howe", NIGHT) // a 30-minute daylight-saving shift
)
const INSTANT = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2035, 11, 31) }).map((ms) => new Date(ms))
const RUNS = { numRuns: 300 }

describe("office-hours properties", () => {
  it("nextOpen is never before the instant and always open; the instant itself when open", () => {
    fc.assert(fc.property(SETTINGS, INSTANT, (settings, at) => {
      const opening = nextOpen(settings, at)
      expect(opening).not.toBeNull()
      expect(opening!.getTime()).toBeGreaterThanOrEqual(at.getTime())
      expect(isOpen(settings, opening!)).toBe(true)
      if (isOpen(settings, at)) expect(opening!.getTime()).toBe(at.getTime())
      else expect(isOpen(settings, new Date(opening!.getTime() - 1))).toBe(false)
    }), RUNS)
  })

  it("nextClose is after the instant, closed, and open just before", () => {
    fc.assert(fc.property(SETTINGS, INSTANT, (settings, at) => {
      const closing = nextClose(settings, at)!
      expect(closing.getTime()).toBeGreaterThan(at.getTime())
      expect(isOpen(settings, closing)).toBe(false)
      expect(isOpen(settings, new Date(closing.getTime() - 1))).toBe(true)
    }), RUNS)
  })

  it("every instant of a closed period shares its key, and nothing in between is open", () => {
    fc.assert(fc.property(SETTINGS, INSTANT, fc.double({ min: 0, max: 1, noNaN: true }), (settings, at, fraction) => {
      fc.pre(!isOpen(settings, at))
      const opening = nextOpen(settings, at)!
      const between = new Date(at.getTime() + Math.floor((opening.getTime() - at.getTime()) * fraction))
      fc.pre(between.getTime() < opening.getTime())
      expect(isOpen(settings, between)).toBe(false)
      expect(closedPeriodKey(settings, between)).toBe(closedPeriodKey(settings, at))
      expect(closedPeriodKey(settings, at)).toBe(opening.toISOString())
    }), RUNS)
  })
})
