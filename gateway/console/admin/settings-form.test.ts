/** The settings form as a merge patch: special dates added, re-dated and removed key by key; bad input named by field. */
import { describe, expect, it } from "vitest"
import { applyMergePatch } from "../../../domain/settings/mergePatch.ts"
import { textsFor } from "../texts.ts"
import { settingsPatch } from "./routes.tsx"

const nl = textsFor("nl")
const base = { "widget.percentage": "100", "retention.messagesDays": "" }

describe("the settings form's merge patch", () => {
  it("adds, re-dates and removes special dates; empty hours close the date", () => {
    const { patch, problems } = settingsPatch({
      ...base,
      "overrides.0.was": "2026-12-24", "overrides.0.date": "2026-12-23", "overrides.0.hours": "08:30-12:00",
      "overrides.1.was": "2026-12-31", "overrides.1.date": "2026-12-31", "overrides.1.hours": "", "overrides.1.remove": "on",
      "overrides.2.was": "2027-01-02", "overrides.2.date": "2027-01-02", "overrides.2.hours": "",
      "overrides.new.date": "2027-04-26", "overrides.new.hours": "10:00-12:00, 13:00-15:00"
    }, nl)
    expect(problems).toEqual([])
    const stored = { "2026-12-24": [{ open: "09:00", close: "12:00" }], "2026-12-31": [], "2027-01-02": [{ open: "09:00", close: "10:00" }] }
    expect(applyMergePatch(stored, (patch.officeHours as { overrides: unknown }).overrides)).toEqual({
      "2026-12-23": [{ open: "08:30", close: "12:00" }],
      "2027-01-02": [],
      "2027-04-26": [{ open: "10:00", close: "12:00" }, { open: "13:00", close: "15:00" }]
    })
  })

  it("names the field of hours it cannot read, of hours without a date and of days that are no number; empty days keep messages", () => {
    const { problems } = settingsPatch({
      ...base, "retention.messagesDays": "een jaar",
      "overrides.0.was": "2026-12-24", "overrides.0.date": "2026-12-24", "overrides.0.hours": "ochtend",
      "overrides.new.date": "", "overrides.new.hours": "08:30-12:00"
    }, nl)
    expect(problems.map((p) => p.path)).toEqual(["overrides.0", "overrides.new", "retention.messagesDays"])
    expect(problems[0]!.message).toContain("2026-12-24: schrijf tijden als 08:30-12:00")
    expect(settingsPatch(base, nl).patch.retention).toEqual({ messagesDays: null })
    expect(settingsPatch({ ...base, "retention.messagesDays": " 90 " }, nl).patch.retention).toEqual({ messagesDays: 90 })
  })

  it("sends the follow-up's quick replies one per line, and none as null (the key removed)", () => {
    const on = settingsPatch({ ...base, "followUp.enabled": "on", "followUp.template.name": " gemeente_follow_up ", "followUp.template.language": "nl", "followUp.template.buttons": "Ja\r\n\r\nNee\n" }, nl)
    expect(on.patch.followUp).toEqual({ enabled: true, template: { name: "gemeente_follow_up", language: "nl", buttons: ["Ja", "Nee"] } })
    expect((settingsPatch({ ...base, "followUp.template.buttons": "  " }, nl).patch.followUp as { template: { buttons: unknown } }).template.buttons).toBeNull()
  })
})
