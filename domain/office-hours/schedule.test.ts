import { describe, expect, it } from "vitest"
import { closedDaysBetween, closedPeriodKey, isOpen, nextClose, nextOpen, openPeriodsBetween, openPeriodsOn } from "./schedule.ts"
import type { OfficeHoursSettings, OpeningSlot } from "./settings.ts"

const SPLIT: ReadonlyArray<OpeningSlot> = [{ open: "08:30", close: "12:00" }, { open: "13:00", close: "17:00" }]

/** A municipality open Monday to Friday with a lunch break, in Amsterdam. */
const gemeente = (extra: Partial<OfficeHoursSettings> = {}): OfficeHoursSettings => ({
  timezone: "Europe/Amsterdam",
  weekly: { monday: SPLIT, tuesday: SPLIT, wednesday: SPLIT, thursday: SPLIT, friday: SPLIT, saturday: [], sunday: [] },
  holidays: "nl",
  ...extra
})

const at = (iso: string) => new Date(iso)
const iso = (d: Date | null) => (d === null ? null : d.toISOString())

describe("next opening over the weekend and holidays", () => {
  it.each([
    ["Friday evening in winter → Monday 08:30 CET", "2026-12-04T17:00:00Z", "2026-12-07T07:30:00.000Z"],
    ["Saturday noon → Monday 08:30", "2026-12-05T11:00:00Z", "2026-12-07T07:30:00.000Z"],
    ["Sunday 23:59 → Monday 08:30", "2026-12-06T22:59:00Z", "2026-12-07T07:30:00.000Z"],
    ["Monday 07:00 → the same morning 08:30", "2026-12-07T06:00:00Z", "2026-12-07T07:30:00.000Z"],
    ["Friday evening before Tweede Paasdag → Tuesday 08:30 CEST", "2026-04-03T16:00:00Z", "2026-04-07T06:30:00.000Z"],
    ["Friday evening before Tweede Pinksterdag → Tuesday 08:30", "2026-05-22T16:00:00Z", "2026-05-26T06:30:00.000Z"],
    ["Sunday evening before Koningsdag 2026 (a Monday) → Tuesday", "2026-04-26T18:00:00Z", "2026-04-28T06:30:00.000Z"],
    ["Christmas Eve evening → Monday 28 December (25th and 26th closed)", "2026-12-24T17:00:00Z", "2026-12-28T07:30:00.000Z"],
    ["New Year's Eve evening → Monday 4 January (Nieuwjaarsdag is the Friday)", "2026-12-31T17:00:00Z", "2027-01-04T07:30:00.000Z"]
  ])("%s", (_, instant, expected) => {
    const settings = gemeente()
    expect(isOpen(settings, at(instant))).toBe(false)
    expect(iso(nextOpen(settings, at(instant)))).toBe(expected)
  })

  it("opens on Goede Vrijdag by default and stays closed when the settings close it", () => {
    const thursdayEvening = at("2026-04-02T16:00:00Z")
    expect(iso(nextOpen(gemeente(), thursdayEvening))).toBe("2026-04-03T06:30:00.000Z")
    expect(iso(nextOpen(gemeente({ goodFriday: "closed" }), thursdayEvening))).toBe("2026-04-07T06:30:00.000Z")
  })

  it("closes Bevrijdingsdag in a lustrum year only (Monday 5 May 2025 closed, Tuesday 5 May 2026 open)", () => {
    expect(isOpen(gemeente(), at("2025-05-05T08:00:00Z"))).toBe(false)
    expect(isOpen(gemeente(), at("2026-05-05T08:00:00Z"))).toBe(true)
    expect(isOpen(gemeente({ liberationDay: "yearly" }), at("2026-05-05T08:00:00Z"))).toBe(false)
    expect(isOpen(gemeente({ liberationDay: "never" }), at("2025-05-05T08:00:00Z"))).toBe(true)
  })

  it("ignores holidays with holidays: none", () => {
    expect(isOpen(gemeente({ holidays: "none" }), at("2026-04-06T08:00:00Z"))).toBe(true)
    expect(isOpen(gemeente(), at("2026-04-06T08:00:00Z"))).toBe(false)
  })

  it("answers null when nothing opens within 400 days", () => {
    const never: OfficeHoursSettings = { timezone: "Europe/Amsterdam", weekly: {} }
    expect(nextOpen(never, at("2026-12-04T17:00:00Z"))).toBeNull()
    expect(nextClose(never, at("2026-12-04T17:00:00Z"))).toBeNull()
    const farAway = { ...never, overrides: { "2028-06-01": [{ open: "09:00", close: "10:00" }] } }
    expect(nextOpen(farAway, at("2026-12-04T17:00:00Z"))).toBeNull()
    expect(iso(nextOpen(farAway, at("2027-12-04T17:00:00Z")))).toBe("2028-06-01T07:00:00.000Z")
  })
})

describe("split shifts", () => {
  const settings = gemeente()
  it.each([
    ["08:29 closed", "2026-12-07T07:29:00Z", false],
    ["08:30 open", "2026-12-07T07:30:00Z", true],
    ["11:59 open", "2026-12-07T10:59:00Z", true],
    ["12:00 closed for lunch", "2026-12-07T11:00:00Z", false],
    ["12:59 closed for lunch", "2026-12-07T11:59:00Z", false],
    ["13:00 open", "2026-12-07T12:00:00Z", true],
    ["17:00 closed", "2026-12-07T16:00:00Z", false]
  ])("Monday %s", (_, instant, open) => {
    expect(isOpen(settings, at(instant))).toBe(open)
  })

  it("reopens at 13:00 after lunch and closes at 12:00 and 17:00", () => {
    expect(iso(nextOpen(settings, at("2026-12-07T11:30:00Z")))).toBe("2026-12-07T12:00:00.000Z")
    expect(iso(nextClose(settings, at("2026-12-07T09:00:00Z")))).toBe("2026-12-07T11:00:00.000Z")
    expect(iso(nextClose(settings, at("2026-12-07T11:30:00Z")))).toBe("2026-12-07T16:00:00.000Z")
    expect(iso(nextClose(settings, at("2026-12-04T17:00:00Z")))).toBe("2026-12-07T11:00:00.000Z")
  })

  it("is open now at an instant while open (nextOpen is that instant)", () => {
    expect(iso(nextOpen(settings, at("2026-12-07T09:15:00Z")))).toBe("2026-12-07T09:15:00.000Z")
  })

  it("treats overlapping slots as one period and a slot to 24:00 running into 00:00 as one closing", () => {
    const lateShift: OfficeHoursSettings = {
      timezone: "Europe/Amsterdam",
      weekly: { friday: [{ open: "20:00", close: "24:00" }, { open: "09:00", close: "12:00" }, { open: "11:00", close: "13:00" }], saturday: [{ open: "00:00", close: "02:00" }] }
    }
    expect(openPeriodsOn(lateShift, "2026-12-04").map((p) => [new Date(p.from).toISOString(), new Date(p.until).toISOString()])).toEqual([
      ["2026-12-04T08:00:00.000Z", "2026-12-04T12:00:00.000Z"],
      ["2026-12-04T19:00:00.000Z", "2026-12-04T23:00:00.000Z"]
    ])
    expect(iso(nextClose(lateShift, at("2026-12-04T21:00:00Z")))).toBe("2026-12-05T01:00:00.000Z")
    expect(isOpen(lateShift, at("2026-12-04T23:30:00Z"))).toBe(true)
  })

  it("never opens a slot that closes before it opens", () => {
    const backwards: OfficeHoursSettings = { timezone: "Europe/Amsterdam", weekly: { monday: [{ open: "17:00", close: "09:00" }], tuesday: SPLIT } }
    expect(openPeriodsOn(backwards, "2026-12-07")).toEqual([])
    expect(iso(nextOpen(backwards, at("2026-12-07T06:00:00Z")))).toBe("2026-12-08T07:30:00.000Z")
  })
})

describe("overrides and closed dates", () => {
  const settings = gemeente({
    closedDates: ["2026-12-24", "2026-12-08"],
    overrides: {
      "2026-12-31": [{ open: "08:30", close: "12:00" }],
      "2026-04-27": [{ open: "10:00", close: "14:00" }],
      "2026-12-09": [],
      "2026-12-08": [{ open: "09:00", close: "10:00" }],
      "2026-12-12": [{ open: "10:00", close: "12:00" }]
    }
  })

  it("replaces the weekday's slots on an override date (New Year's Eve mornings only)", () => {
    expect(isOpen(settings, at("2026-12-31T09:00:00Z"))).toBe(true)
    expect(isOpen(settings, at("2026-12-31T12:30:00Z"))).toBe(false)
    expect(iso(nextClose(settings, at("2026-12-31T09:00:00Z")))).toBe("2026-12-31T11:00:00.000Z")
  })

  it("opens a holiday an override gives hours (Koningsdag 10:00–14:00) and a Saturday", () => {
    expect(isOpen(settings, at("2026-04-27T09:00:00Z"))).toBe(true)
    expect(isOpen(settings, at("2026-04-27T07:00:00Z"))).toBe(false)
    expect(iso(nextOpen(settings, at("2026-12-11T17:00:00Z")))).toBe("2026-12-12T09:00:00.000Z")
  })

  it("closes closed dates and overrides with [], and an override wins over a closed date", () => {
    expect(isOpen(settings, at("2026-12-24T09:00:00Z"))).toBe(false)
    expect(isOpen(settings, at("2026-12-09T09:00:00Z"))).toBe(false)
    expect(isOpen(settings, at("2026-12-08T08:30:00Z"))).toBe(true)
    expect(isOpen(settings, at("2026-12-08T10:00:00Z"))).toBe(false)
  })

  it("names why whole days are closed, and not ordinary weekends", () => {
    expect(closedDaysBetween(settings, "2026-12-07", 28).map(({ date, reason }) => [date, reason])).toEqual([
      ["2026-12-09", "override"],
      ["2026-12-24", "closedDates"],
      ["2026-12-25", "Eerste Kerstdag"],
      ["2026-12-26", "Tweede Kerstdag"],
      ["2027-01-01", "Nieuwjaarsdag"]
    ])
    expect(closedDaysBetween(gemeente(), "2026-04-27", 1)[0]).toMatchObject({ reason: "Koningsdag", names: { en: "King's Day" } })
  })
})

describe("daylight saving time in Amsterdam", () => {
  const always = (slots: ReadonlyArray<OpeningSlot>): OfficeHoursSettings => ({
    timezone: "Europe/Amsterdam",
    weekly: { monday: SPLIT, tuesday: SPLIT, wednesday: SPLIT, thursday: SPLIT, friday: SPLIT, saturday: [{ open: "09:00", close: "17:00" }], sunday: slots }
  })
  const periods = (settings: OfficeHoursSettings, date: string) =>
    openPeriodsOn(settings, date).map((p) => [new Date(p.from).toISOString(), new Date(p.until).toISOString()])

  it("spring (last Sunday of March, 02:00 CET → 03:00 CEST): the instants around the switch", () => {
    const night = always([{ open: "01:00", close: "04:00" }])
    expect(periods(night, "2026-03-29")).toEqual([["2026-03-29T00:00:00.000Z", "2026-03-29T02:00:00.000Z"]])
    expect(isOpen(night, at("2026-03-29T00:59:59Z"))).toBe(true) // 01:59:59 CET
    expect(isOpen(night, at("2026-03-29T01:00:00Z"))).toBe(true) // 03:00 CEST
    expect(isOpen(night, at("2026-03-29T02:00:00Z"))).toBe(false) // 04:00 CEST
    expect(iso(nextClose(night, at("2026-03-29T00:30:00Z")))).toBe("2026-03-29T02:00:00.000Z")
  })

  it("spring: a slot starting in the skipped hour opens at 03:00; one wholly inside it does not open", () => {
    expect(periods(always([{ open: "02:30", close: "05:00" }]), "2026-03-29")).toEqual([["2026-03-29T01:00:00.000Z", "2026-03-29T03:00:00.000Z"]])
    expect(periods(always([{ open: "02:15", close: "02:45" }]), "2026-03-29")).toEqual([])
    expect(periods(always([{ open: "09:00", close: "17:00" }]), "2026-03-29")).toEqual([["2026-03-29T07:00:00.000Z", "2026-03-29T15:00:00.000Z"]])
    expect(periods(always([]), "2026-03-28")).toEqual([["2026-03-28T08:00:00.000Z", "2026-03-28T16:00:00.000Z"]])
  })

  it("spring: Friday evening before the switch → Monday 08:30 summer time", () => {
    expect(iso(nextOpen(gemeente(), at("2026-03-27T17:00:00Z")))).toBe("2026-03-30T06:30:00.000Z")
  })

  it("autumn (last Sunday of October, 03:00 CEST → 02:00 CET): the instants around the switch", () => {
    const night = always([{ open: "01:00", close: "04:00" }])
    // 01:00 CEST is 23:00Z the day before; 04:00 CET is 03:00Z: four real hours.
    expect(periods(night, "2026-10-25")).toEqual([["2026-10-24T23:00:00.000Z", "2026-10-25T03:00:00.000Z"]])
    expect(isOpen(night, at("2026-10-25T00:59:59Z"))).toBe(true) // 02:59:59 CEST
    expect(isOpen(night, at("2026-10-25T01:00:00Z"))).toBe(true) // 02:00 CET, the second time
    expect(isOpen(night, at("2026-10-25T03:00:00Z"))).toBe(false) // 04:00 CET
  })

  it("autumn: a slot in the doubled hour opens at its first showing and closes at the first showing of its close", () => {
    expect(periods(always([{ open: "02:30", close: "03:30" }]), "2026-10-25")).toEqual([["2026-10-25T00:30:00.000Z", "2026-10-25T02:30:00.000Z"]])
    expect(periods(always([{ open: "02:00", close: "02:30" }]), "2026-10-25")).toEqual([["2026-10-25T00:00:00.000Z", "2026-10-25T00:30:00.000Z"]])
    expect(periods(always([{ open: "09:00", close: "17:00" }]), "2026-10-25")).toEqual([["2026-10-25T08:00:00.000Z", "2026-10-25T16:00:00.000Z"]])
  })

  it("autumn: Friday evening before the switch → Monday 08:30 winter time", () => {
    expect(iso(nextOpen(gemeente(), at("2026-10-23T16:00:00Z")))).toBe("2026-10-26T07:30:00.000Z")
  })
})

describe("closed period key", () => {
  const settings = gemeente()
  it("is the same for every instant of one closed period and differs for the next", () => {
    const friday = closedPeriodKey(settings, at("2026-12-04T17:00:00Z"))
    expect(friday).toBe("2026-12-07T07:30:00.000Z")
    expect(closedPeriodKey(settings, at("2026-12-05T11:00:00Z"))).toBe(friday)
    expect(closedPeriodKey(settings, at("2026-12-07T07:29:59Z"))).toBe(friday)
    expect(closedPeriodKey(settings, at("2026-12-07T11:30:00Z"))).toBe("2026-12-07T12:00:00.000Z")
    expect(closedPeriodKey(settings, at("2026-12-07T09:00:00Z"))).toBeNull()
  })

  it("says so when nothing opens within the horizon", () => {
    expect(closedPeriodKey({ timezone: "Europe/Amsterdam", weekly: {} }, at("2026-12-04T17:00:00Z"))).toBe("closed-beyond-horizon")
  })
})

describe("opening periods between dates", () => {
  it("lists a week's periods as UTC instants, skipping the holiday", () => {
    const week = openPeriodsBetween(gemeente(), "2026-04-06", 7)
    expect(week).toHaveLength(8) // Tuesday to Friday, two each; Tweede Paasdag closed
    expect(new Date(week[0]!.from).toISOString()).toBe("2026-04-07T06:30:00.000Z")
    expect(new Date(week[7]!.until).toISOString()).toBe("2026-04-10T15:00:00.000Z")
  })
})
