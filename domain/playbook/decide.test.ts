import { describe, expect, it } from "vitest"
import { instantOfWallTime } from "../office-hours/zone.ts"
import { defaultSettings, type SettingsDocument } from "../settings/mod.ts"
import { decideOnInbound } from "./decide.ts"

const TZ = "Europe/Amsterdam"
const at = (date: string, time: string) => instantOfWallTime(date, Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)), TZ)
const settings: SettingsDocument = { ...defaultSettings({ timezone: TZ }), followUp: { enabled: true, template: { name: "t", language: "nl" } } }
const fresh = { isNew: false, autoRepliedFor: null }

describe("decideOnInbound", () => {
  it("says 'morgen' just before local midnight and 'vandaag' just after (the answer is kept per minute, and midnight is a minute boundary)", () => {
    const before = decideOnInbound(settings, at("2025-12-01", "23:59") + 30_000, fresh)
    const after = decideOnInbound(settings, at("2025-12-02", "00:00") + 30_000, fresh)
    expect(before.replies[0]!.text).toContain("morgen om 08:30")
    expect(after.replies[0]!.text).toContain("vandaag om 08:30")
    // One closed period (Monday evening to Tuesday 08:30): one key, one follow-up time.
    expect(after.repliedFor).toBe(before.repliedFor)
    expect(before.followUpAt).toBe("2025-12-02T07:30:00.000Z")
  })

  it("is open from the opening minute on, with no reply and no follow-up", () => {
    expect(decideOnInbound(settings, at("2025-12-02", "08:29") + 59_000, fresh).followUpAt).toBe("2025-12-02T07:30:00.000Z")
    expect(decideOnInbound(settings, at("2025-12-02", "08:30"), fresh)).toEqual({ replies: [], repliedFor: undefined, followUpAt: null })
  })

  it("sends nothing again for a period already answered, and asks nothing when every part of the playbook is off", () => {
    const first = decideOnInbound(settings, at("2025-12-01", "20:00"), fresh)
    expect(decideOnInbound(settings, at("2025-12-01", "22:00"), { isNew: false, autoRepliedFor: first.repliedFor! }).replies).toEqual([])
    const off: SettingsDocument = { ...settings, autoReplies: { ...settings.autoReplies, outOfHours: { ...settings.autoReplies.outOfHours, enabled: false } }, followUp: { ...settings.followUp, enabled: false } }
    expect(decideOnInbound(off, at("2025-12-01", "20:00"), { isNew: true, autoRepliedFor: null })).toEqual({ replies: [], repliedFor: undefined, followUpAt: null })
  })

  it("puts the first-contact message before the out-of-hours reply on a new conversation", () => {
    const withFirst: SettingsDocument = { ...settings, autoReplies: { ...settings.autoReplies, firstContact: { ...settings.autoReplies.firstContact, enabled: true } } }
    expect(decideOnInbound(withFirst, at("2025-12-06", "10:00"), { isNew: true, autoRepliedFor: null }).replies.map((r) => r.kind)).toEqual(["first-contact", "out-of-hours"])
    expect(decideOnInbound(withFirst, at("2025-12-06", "10:00"), fresh).replies.map((r) => r.kind)).toEqual(["out-of-hours"])
  })
})
