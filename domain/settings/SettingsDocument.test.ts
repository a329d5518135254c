/** The settings document: defaults, every invalid field with its path, merge patch semantics. */
import { describe, expect, it } from "vitest"
import { applyMergePatch, defaultSettings, resolveSettings } from "./mod.ts"

const TZ = "Europe/Amsterdam"
const problems = (document: unknown) => {
  const resolved = resolveSettings(document, TZ)
  if (resolved.ok) throw new Error("expected problems, got a valid document")
  return resolved.problems
}
const valid = (document: unknown) => {
  const resolved = resolveSettings(document, TZ)
  if (!resolved.ok) throw new Error(`expected a valid document: ${JSON.stringify(resolved.problems)}`)
  return resolved.document
}

describe("the settings document", () => {
  it("is complete and valid with nothing set: Dutch texts, the configured zone, every key", () => {
    const document = valid({})
    expect(Object.keys(document).sort()).toEqual(["access", "autoReplies", "followUp", "language", "linkProtection", "officeHours", "outboundPolicy", "personalData", "retention", "widget"])
    expect(document).toMatchObject({
      language: "nl", access: "all", retention: { messagesDays: null },
      officeHours: { timezone: TZ, holidays: "nl", liberationDay: "lustrum", goodFriday: "open", closedDates: [], overrides: {} }
    })
    expect(document.autoReplies.outOfHours.text).toContain("{{nextOpen}}")
    expect(document.autoReplies.outOfHours.text).toMatch(/gesloten/)
    expect(valid({}).officeHours.timezone).toBe(TZ)
    expect(resolveSettings({}, "Europe/London")).toMatchObject({ ok: true, document: { officeHours: { timezone: "Europe/London" } } })
  })

  it("gives English default texts when language is en, and keeps a text an admin set", () => {
    const english = valid({ language: "en", autoReplies: { receipt: { text: "Got it." } } })
    expect(english.autoReplies.outOfHours.text).toMatch(/closed/)
    expect(english.personalData.text).toMatch(/personal details/)
    expect(english.widget.text).toBe("Chat with us on WhatsApp")
    expect(english.autoReplies.receipt).toEqual({ enabled: false, text: "Got it." })
  })

  it("takes a given weekly whole: weekdays it leaves out are closed", () => {
    const document = valid({ officeHours: { weekly: { monday: [{ open: "08:00", close: "12:00" }, { open: "13:00", close: "17:00" }] } } })
    expect(document.officeHours.weekly.monday).toHaveLength(2)
    expect(document.officeHours.weekly.tuesday).toEqual([])
    expect(document.officeHours.timezone).toBe(TZ)
  })

  it("lists every bad field at once, each with its path and what would be valid", () => {
    const found = problems({
      language: "fr",
      colour: "blue",
      officeHours: {
        weekly: {
          monday: [{ open: "25:00", close: "17:00" }],
          tuesday: [{ open: "12:00", close: "09:00" }],
          wednesday: [{ open: "08:00", close: "12:00" }, { open: "11:30", close: "14:00" }],
          funday: []
        },
        closedDates: ["2026-02-30", "24-12-2026"],
        overrides: { "2026-13-01": [] }
      },
      widget: { percentage: 101 },
      autoReplies: { outOfHours: { text: "Open {{nextOpen}}, zie {{website}}" }, receipt: { text: "Dank {{nextOpen}}" } }
    })
    const at = Object.fromEntries(found.map((p) => [p.path, p.message]))
    expect(at["language"]).toBe('expected "nl" or "en", got string "fr"')
    expect(at["colour"]).toMatch(/^unknown key; expected one of language, officeHours, /)
    expect(at["officeHours.weekly.monday[0].open"]).toBe('expected HH:MM (00:00–23:59), got "25:00"')
    expect(at["officeHours.weekly.tuesday[0].close"]).toBe("close 09:00 must come after open 12:00")
    expect(at["officeHours.weekly.wednesday[1]"]).toMatch(/overlaps 08:00–12:00/)
    expect(at["officeHours.weekly.funday"]).toBe("unknown key; expected one of monday, tuesday, wednesday, thursday, friday, saturday, sunday")
    expect(at["officeHours.closedDates[0]"]).toMatch(/expected a real date as YYYY-MM-DD .*"2026-02-30"/)
    expect(at["officeHours.closedDates[1]"]).toMatch(/"24-12-2026"/)
    expect(at['officeHours.overrides["2026-13-01"]']).toMatch(/real date/)
    expect(at["widget.percentage"]).toBe("expected a percentage from 0 to 100, got 101")
    expect(at["autoReplies.outOfHours.text"]).toBe("unknown placeholder {{website}}; placeholders that exist here: {{nextOpen}}")
    expect(at["autoReplies.receipt.text"]).toBe("unknown placeholder {{nextOpen}}; this text has no placeholders")
    expect(found).toHaveLength(12)
  })

  it("finds an overlap hidden behind a shorter slot", () => {
    const found = problems({ officeHours: { weekly: { friday: [{ open: "08:00", close: "17:00" }, { open: "09:00", close: "10:00" }, { open: "12:00", close: "13:00" }] } } })
    expect(found.map((p) => p.path)).toEqual(["officeHours.weekly.friday[1]", "officeHours.weekly.friday[2]"])
  })

  it("refuses wrong types, a bad zone, a bad regular expression and an enabled widget without a number", () => {
    const found = problems({
      officeHours: { timezone: "Europe/Nowhere", holidays: true },
      personalData: { extraPatterns: [{ name: "klantnummer", pattern: "([" }] },
      widget: { enabled: true },
      retention: { messagesDays: 0 }
    })
    expect(found.map((p) => p.path).sort()).toEqual([
      "officeHours.holidays", "officeHours.timezone", "personalData.extraPatterns[0].pattern", "retention.messagesDays", "widget.number"
    ])
    expect(found.find((p) => p.path === "officeHours.holidays")!.message).toBe('expected "nl" or "none", got boolean true')
  })

  it("accepts a full document, split shifts, overrides and the optional keys", () => {
    const document = {
      ...defaultSettings({ timezone: TZ }),
      officeHours: { ...defaultSettings({ timezone: TZ }).officeHours, overrides: { "2026-12-24": [{ open: "08:30", close: "12:00" }], "2026-12-31": [] }, closedDates: ["2026-12-28"] },
      followUp: { enabled: false, template: { name: "tevredenheid", language: "nl", buttons: ["Ja", "Nee"] } },
      widget: { ...defaultSettings({ timezone: TZ }).widget, enabled: true, number: "31612345678", origins: ["https://www.gemeente.nl"], officeHours: "show-next-open" as const },
      retention: { messagesDays: 365 }
    }
    expect(valid(document)).toEqual(document)
  })
})

describe("JSON merge patch (RFC 7386)", () => {
  it("merges objects, replaces lists, and deletes a key with null", () => {
    const target = { a: { b: 1, c: [1, 2] }, d: "x" }
    expect(applyMergePatch(target, { a: { c: [3] }, d: null, e: { f: 1 } })).toEqual({ a: { b: 1, c: [3] }, e: { f: 1 } })
    expect(target).toEqual({ a: { b: 1, c: [1, 2] }, d: "x" })
    expect(applyMergePatch({ a: 1 }, [1])).toEqual([1])
    expect(applyMergePatch({ a: { b: 1 } }, { a: null })).toEqual({})
  })
})
