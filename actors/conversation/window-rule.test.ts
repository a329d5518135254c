import { describe, expect, it } from "vitest"
import type { WindowRule } from "../../adapters/ChannelAdapter.ts"
import { checkWindow, checkWindowRule, windowEndAfter } from "./window-rule.ts"

const at = "2026-12-01T10:00:00.000Z"
const hoursAfter = (h: number) => new Date(Date.parse(at) + h * 3600_000).toISOString()

describe("the messaging window comes from the channel", () => {
  it("WhatsApp: free text within 24 hours of the resident's message, templates always", () => {
    const end = windowEndAfter("whatsapp", at)
    expect(end).toBe(hoursAfter(24))
    expect(checkWindow("whatsapp", end, "text", hoursAfter(23))).toEqual({ ok: true, tag: null })
    expect(checkWindow("whatsapp", end, "text", hoursAfter(25))).toMatchObject({ ok: false, message: expect.stringContaining("24-hour window closed") })
    expect(checkWindow("whatsapp", null, "image", at)).toMatchObject({ ok: false, message: expect.stringContaining("only an approved template") })
    expect(checkWindow("whatsapp", end, "template", hoursAfter(200))).toEqual({ ok: true, tag: null })
  })

  it("a channel without a window (Telegram, SMS) never refuses and keeps no window end", () => {
    const none: WindowRule = { kind: "none" }
    expect(checkWindowRule(none, "Telegram", null, "text", hoursAfter(1000))).toEqual({ ok: true, tag: null })
  })

  it("Messenger-style: 24 hours free, then up to 7 days with the HUMAN_AGENT tag, then nothing", () => {
    const rule: WindowRule = { kind: "reply", hours: 24, afterWindow: "nothing", tag: { name: "HUMAN_AGENT", hours: 168 } }
    const end = hoursAfter(24)
    expect(checkWindowRule(rule, "Messenger", end, "text", hoursAfter(2))).toEqual({ ok: true, tag: null })
    expect(checkWindowRule(rule, "Messenger", end, "text", hoursAfter(100))).toEqual({ ok: true, tag: "HUMAN_AGENT" })
    expect(checkWindowRule(rule, "Messenger", end, "text", hoursAfter(169))).toMatchObject({ ok: false, message: expect.stringContaining("168 hours") })
    expect(checkWindowRule(rule, "Messenger", null, "text", at)).toMatchObject({ ok: false, message: expect.stringContaining("only after the resident writes") })
    expect(checkWindowRule(rule, "Messenger", end, "template", hoursAfter(169))).toMatchObject({ ok: false })
  })

  it("a human-only tag never carries an auto-reply: refused between 24 hours and 7 days, fine inside the window", () => {
    const rule: WindowRule = { kind: "reply", hours: 24, afterWindow: "nothing", tag: { name: "HUMAN_AGENT", hours: 168, humanOnly: true } }
    const end = hoursAfter(24)
    expect(checkWindowRule(rule, "Messenger", end, "text", hoursAfter(2), true)).toEqual({ ok: true, tag: null })
    expect(checkWindowRule(rule, "Messenger", end, "text", hoursAfter(100), false)).toEqual({ ok: true, tag: "HUMAN_AGENT" })
    expect(checkWindowRule(rule, "Messenger", end, "text", hoursAfter(100), true)).toMatchObject({ ok: false, message: expect.stringContaining("never an automatic reply") })
  })
})
