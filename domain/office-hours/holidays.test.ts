import { describe, expect, it } from "vitest"
import { addDays } from "./calendar.ts"
import { dutchPublicHolidays, easterSunday, kingsDay } from "./holidays.ts"

/** Easter Sundays from published church calendars, and the Dutch holidays that follow from them. */
const EASTER: ReadonlyArray<[number, string, { goedeVrijdag: string; tweedePaasdag: string; hemelvaart: string; pinksteren: string; tweedePinksterdag: string }]> = [
  [2025, "2025-04-20", { goedeVrijdag: "2025-04-18", tweedePaasdag: "2025-04-21", hemelvaart: "2025-05-29", pinksteren: "2025-06-08", tweedePinksterdag: "2025-06-09" }],
  [2026, "2026-04-05", { goedeVrijdag: "2026-04-03", tweedePaasdag: "2026-04-06", hemelvaart: "2026-05-14", pinksteren: "2026-05-24", tweedePinksterdag: "2026-05-25" }],
  [2027, "2027-03-28", { goedeVrijdag: "2027-03-26", tweedePaasdag: "2027-03-29", hemelvaart: "2027-05-06", pinksteren: "2027-05-16", tweedePinksterdag: "2027-05-17" }],
  [2028, "2028-04-16", { goedeVrijdag: "2028-04-14", tweedePaasdag: "2028-04-17", hemelvaart: "2028-05-25", pinksteren: "2028-06-04", tweedePinksterdag: "2028-06-05" }],
  [2029, "2029-04-01", { goedeVrijdag: "2029-03-30", tweedePaasdag: "2029-04-02", hemelvaart: "2029-05-10", pinksteren: "2029-05-20", tweedePinksterdag: "2029-05-21" }],
  [2030, "2030-04-21", { goedeVrijdag: "2030-04-19", tweedePaasdag: "2030-04-22", hemelvaart: "2030-05-30", pinksteren: "2030-06-09", tweedePinksterdag: "2030-06-10" }],
  [2031, "2031-04-13", { goedeVrijdag: "2031-04-11", tweedePaasdag: "2031-04-14", hemelvaart: "2031-05-22", pinksteren: "2031-06-01", tweedePinksterdag: "2031-06-02" }],
  [2032, "2032-03-28", { goedeVrijdag: "2032-03-26", tweedePaasdag: "2032-03-29", hemelvaart: "2032-05-06", pinksteren: "2032-05-16", tweedePinksterdag: "2032-05-17" }],
  [2033, "2033-04-17", { goedeVrijdag: "2033-04-15", tweedePaasdag: "2033-04-18", hemelvaart: "2033-05-26", pinksteren: "2033-06-05", tweedePinksterdag: "2033-06-06" }],
  [2034, "2034-04-09", { goedeVrijdag: "2034-04-07", tweedePaasdag: "2034-04-10", hemelvaart: "2034-05-18", pinksteren: "2034-05-28", tweedePinksterdag: "2034-05-29" }],
  [2035, "2035-03-25", { goedeVrijdag: "2035-03-23", tweedePaasdag: "2035-03-26", hemelvaart: "2035-05-03", pinksteren: "2035-05-13", tweedePinksterdag: "2035-05-14" }]
]

const byName = (year: number, rules = {}) =>
  Object.fromEntries(dutchPublicHolidays(year, rules).map((h) => [h.name.nl, h.date]))

describe("Dutch public holidays", () => {
  it.each(EASTER)("Easter %i falls on %s, and the holidays derived from it with it", (year, easter, derived) => {
    expect(easterSunday(year)).toBe(easter)
    const days = byName(year, { goodFriday: "closed" })
    expect(days).toMatchObject({
      "Goede Vrijdag": derived.goedeVrijdag,
      "Eerste Paasdag": easter,
      "Tweede Paasdag": derived.tweedePaasdag,
      "Hemelvaartsdag": derived.hemelvaart,
      "Eerste Pinksterdag": derived.pinksteren,
      "Tweede Pinksterdag": derived.tweedePinksterdag
    })
  })

  it("computes Easter for centuries the table does not cover (1818 and 2285 are the extremes: 22 March and 25 April)", () => {
    expect(easterSunday(1818)).toBe("1818-03-22")
    expect(easterSunday(2285)).toBe("2285-03-22")
    expect(easterSunday(1943)).toBe("1943-04-25")
    expect(easterSunday(2038)).toBe("2038-04-25")
    expect(easterSunday(2000)).toBe("2000-04-23")
  })

  it("has the fixed-date holidays every year, with Dutch and English names", () => {
    const list = dutchPublicHolidays(2026)
    expect(list.map((h) => [h.date, h.name.nl, h.name.en])).toEqual([
      ["2026-01-01", "Nieuwjaarsdag", "New Year's Day"],
      ["2026-04-05", "Eerste Paasdag", "Easter Sunday"],
      ["2026-04-06", "Tweede Paasdag", "Easter Monday"],
      ["2026-04-27", "Koningsdag", "King's Day"],
      ["2026-05-14", "Hemelvaartsdag", "Ascension Day"],
      ["2026-05-24", "Eerste Pinksterdag", "Whit Sunday"],
      ["2026-05-25", "Tweede Pinksterdag", "Whit Monday"],
      ["2026-12-25", "Eerste Kerstdag", "Christmas Day"],
      ["2026-12-26", "Tweede Kerstdag", "Boxing Day"]
    ])
  })

  it.each([
    [2025, "2025-04-26"], // the 27th is a Sunday
    [2026, "2026-04-27"],
    [2027, "2027-04-27"],
    [2031, "2031-04-26"], // the 27th is a Sunday
    [2036, "2036-04-26"], // the 27th is a Sunday
    [2037, "2037-04-27"]
  ])("Koningsdag %i is on %s (26 April when the 27th is a Sunday)", (year, date) => {
    expect(kingsDay(year)).toBe(date)
    expect(byName(year)["Koningsdag"]).toBe(date)
  })

  it.each([
    ["lustrum", 2025, true], ["lustrum", 2026, false], ["lustrum", 2030, true], ["lustrum", 2029, false],
    ["yearly", 2026, true], ["yearly", 2030, true],
    ["never", 2025, false], ["never", 2030, false]
  ] as const)("Bevrijdingsdag with liberationDay %s closes in %i: %s", (rule, year, closes) => {
    expect(byName(year, { liberationDay: rule })["Bevrijdingsdag"]).toBe(closes ? `${year}-05-05` : undefined)
  })

  it("closes Bevrijdingsdag in lustrum years by default", () => {
    expect(byName(2030)["Bevrijdingsdag"]).toBe("2030-05-05")
    expect(byName(2031)["Bevrijdingsdag"]).toBeUndefined()
  })

  it("lists Goede Vrijdag only when the settings close it (open by default)", () => {
    expect(byName(2026)["Goede Vrijdag"]).toBeUndefined()
    expect(byName(2026, { goodFriday: "open" })["Goede Vrijdag"]).toBeUndefined()
    expect(byName(2026, { goodFriday: "closed" })["Goede Vrijdag"]).toBe(addDays("2026-04-05", -2))
  })

  it("keeps two holidays on one date (Hemelvaartsdag on Bevrijdingsdag, 2016)", () => {
    const fifth = dutchPublicHolidays(2016, { liberationDay: "yearly" }).filter((h) => h.date === "2016-05-05")
    expect(fifth.map((h) => h.name.nl).sort()).toEqual(["Bevrijdingsdag", "Hemelvaartsdag"])
  })
})
