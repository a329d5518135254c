import { describe, expect, it } from "vitest"
import { officeHoursPreview } from "./preview.ts"
import { defaultOfficeHours } from "./settings.ts"

describe("officeHoursPreview", () => {
  it("lists the opening periods of a week with Koningsdag, the closed day and why, and the next opening after now", () => {
    const preview = officeHoursPreview(defaultOfficeHours("Europe/Amsterdam"), {
      from: "2026-04-26", days: 7, now: new Date("2026-04-26T10:00:00Z")
    })
    expect(preview).toEqual({
      timezone: "Europe/Amsterdam",
      open: [
        { from: "2026-04-28T06:30:00.000Z", until: "2026-04-28T15:00:00.000Z" },
        { from: "2026-04-29T06:30:00.000Z", until: "2026-04-29T15:00:00.000Z" },
        { from: "2026-04-30T06:30:00.000Z", until: "2026-04-30T15:00:00.000Z" },
        { from: "2026-05-01T06:30:00.000Z", until: "2026-05-01T15:00:00.000Z" }
      ],
      closed: [{ date: "2026-04-27", reason: "Koningsdag" }],
      nextOpen: "2026-04-28T06:30:00.000Z"
    })
  })

  it("shows Tweede Paasdag and Bevrijdingsdag in a lustrum year, and nextOpen from now rather than from the range", () => {
    const preview = officeHoursPreview(defaultOfficeHours(), { from: "2030-04-21", days: 15, now: new Date("2030-01-02T12:00:00Z") })
    expect(preview.closed).toEqual([
      { date: "2030-04-21", reason: "Eerste Paasdag" },
      { date: "2030-04-22", reason: "Tweede Paasdag" },
      { date: "2030-04-27", reason: "Koningsdag" },
      { date: "2030-05-05", reason: "Bevrijdingsdag" }
    ])
    expect(preview.open).toHaveLength(9) // 23–26 April, 29 April–3 May
    expect(preview.nextOpen).toBe("2030-01-02T12:00:00.000Z") // open now: a Wednesday afternoon
  })
})
