import { describe, expect, it } from "vitest"
import { formatNextOpen } from "./format.ts"

const AMS = "Europe/Amsterdam"
const at = (iso: string) => new Date(iso)

describe("formatNextOpen", () => {
  it.each([
    ["2025-12-01T07:30:00Z", "nl", "maandag 1 december om 08:30"],
    ["2025-12-01T07:30:00Z", "en", "Monday 1 December at 08:30"],
    ["2026-06-01T06:30:00Z", "nl", "maandag 1 juni om 08:30"], // summer time: +2 h
    ["2026-06-01T06:30:00Z", "en", "Monday 1 June at 08:30"],
    ["2026-03-07T12:05:00Z", "nl", "zaterdag 7 maart om 13:05"],
    ["2026-05-14T22:30:00Z", "nl", "vrijdag 15 mei om 00:30"], // the local date, not the UTC one
    ["2026-10-25T01:30:00Z", "en", "Sunday 25 October at 02:30"] // the second 02:30 of the autumn night
  ] as const)("%s in %s reads %j", (instant, language, text) => {
    expect(formatNextOpen(at(instant), AMS, language)).toBe(text)
  })

  it("defaults to Dutch", () => {
    expect(formatNextOpen(at("2025-12-01T07:30:00Z"), AMS)).toBe("maandag 1 december om 08:30")
  })

  it("says today and tomorrow when given now, by the zone's dates", () => {
    const mondayMorning = { now: at("2026-12-07T10:00:00Z") }
    expect(formatNextOpen(at("2026-12-07T12:00:00Z"), AMS, "nl", mondayMorning)).toBe("vandaag om 13:00")
    expect(formatNextOpen(at("2026-12-07T12:00:00Z"), AMS, "en", mondayMorning)).toBe("today at 13:00")
    expect(formatNextOpen(at("2026-12-08T07:30:00Z"), AMS, "nl", mondayMorning)).toBe("morgen om 08:30")
    expect(formatNextOpen(at("2026-12-08T07:30:00Z"), AMS, "en", mondayMorning)).toBe("tomorrow at 08:30")
    expect(formatNextOpen(at("2026-12-09T07:30:00Z"), AMS, "nl", mondayMorning)).toBe("woensdag 9 december om 08:30")
    // 23:30 UTC on Monday is already 00:30 on Tuesday in Amsterdam: the 08:30 opening is today.
    expect(formatNextOpen(at("2026-12-08T07:30:00Z"), AMS, "nl", { now: at("2026-12-07T23:30:00Z") })).toBe("vandaag om 08:30")
  })

  it("adds the year to an opening 300 days or more ahead", () => {
    const now = { now: at("2026-01-05T10:00:00Z") }
    expect(formatNextOpen(at("2027-01-04T07:30:00Z"), AMS, "nl", now)).toBe("maandag 4 januari 2027 om 08:30")
    expect(formatNextOpen(at("2026-02-02T07:30:00Z"), AMS, "en", now)).toBe("Monday 2 February at 08:30")
  })
})
