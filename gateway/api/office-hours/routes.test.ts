/** The preview route on its own: a fixed now, settings handed in as the lead will wire them from the settings service. */
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import { defaultOfficeHours, type OfficeHoursSettings } from "../../../domain/office-hours/OfficeHours.ts"
import { officeHoursRoutes } from "./routes.ts"

const app = (settings: OfficeHoursSettings, now: string) =>
  new Hono().route("/office-hours", officeHoursRoutes(() => settings, async () => new Date(now)))
const appReadingAsync = (settings: OfficeHoursSettings, now: string) =>
  new Hono().route("/office-hours", officeHoursRoutes(async () => settings, async () => new Date(now)))

describe("GET /office-hours", () => {
  it("defaults to seven dates from today in the office-hours zone, with the next opening from now", async () => {
    // Tuesday 28 April 2026, 22:30 UTC: already Wednesday 29 April in Amsterdam.
    const res = await app(defaultOfficeHours("Europe/Amsterdam"), "2026-04-28T22:30:00Z").request("/office-hours")
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.closed).toEqual([])
    // Wednesday 29 April to Tuesday 5 May (Bevrijdingsdag 2026 is no lustrum: open).
    expect(body.open.map((p: { from: string }) => p.from.slice(0, 10))).toEqual(["2026-04-29", "2026-04-30", "2026-05-01", "2026-05-04", "2026-05-05"])
    expect(body.open[0]).toEqual({ from: "2026-04-29T06:30:00.000Z", until: "2026-04-29T15:00:00.000Z" })
    expect(body.nextOpen).toBe("2026-04-29T06:30:00.000Z")
  })

  it("reads the settings it is given, also through a Promise (another zone, Saturday hours)", async () => {
    const settings: OfficeHoursSettings = { timezone: "America/New_York", weekly: { saturday: [{ open: "10:00", close: "14:00" }] }, holidays: "none" }
    const res = await appReadingAsync(settings, "2026-12-04T12:00:00Z").request("/office-hours?from=2026-12-05&days=1")
    expect(await res.json()).toEqual({
      timezone: "America/New_York",
      open: [{ from: "2026-12-05T15:00:00.000Z", until: "2026-12-05T19:00:00.000Z" }],
      closed: [],
      nextOpen: "2026-12-05T15:00:00.000Z"
    })
  })
})
