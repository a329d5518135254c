import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { INSTAGRAM_PROFILE } from "../instagram/mod.ts"
import { MESSENGER_PROFILE } from "./mod.ts"
import { parseMessagingWebhook } from "./parse.ts"

const digits = fc.bigInt({ min: 1n, max: 10n ** 17n }).map(String)
/** Resident data the parser must never copy into a reason. */
const secret = fc.string({ minLength: 8 }).map((s) => `PII-${s}`)
const item = fc.tuple(digits, digits, fc.integer({ min: 1, max: 2 ** 42 }), fc.string({ minLength: 1, maxLength: 12 }), secret).map(([sender, recipient, timestamp, mid, text]) => ({
  sender: { id: sender }, recipient: { id: recipient }, timestamp, message: { mid: `m_${mid}`, text }
}))

describe("parseMessagingWebhook under arbitrary input", () => {
  it("never throws on arbitrary JSON, and accounts for every body (events, parked items, or ignored)", () => {
    for (const profile of [MESSENGER_PROFILE, INSTAGRAM_PROFILE]) {
      fc.assert(fc.property(fc.jsonValue(), (body) => {
        const parsed = parseMessagingWebhook(profile, body)
        expect(parsed.events.length + parsed.rejected.length + (parsed.ignored === null ? 0 : 1)).toBeGreaterThan(0)
      }), { numRuns: 400 })
    }
  })

  it("turns every well-formed message into one event keyed by its mid, for the sender, with no resident data in any reason", () => {
    fc.assert(fc.property(fc.array(item, { minLength: 1, maxLength: 5 }), fc.array(fc.jsonValue(), { maxLength: 3 }), (items, noise) => {
      const body = { object: "page", entry: [{ id: "104857600123456", time: 1, messaging: [...items, ...noise] }] }
      const parsed = parseMessagingWebhook(MESSENGER_PROFILE, body)
      const messages = parsed.events.filter((e) => e.kind === "message")
      expect(messages.slice(0, items.length).map((e) => e.key)).toEqual(items.map((i) => `messenger:msg:${i.message.mid}`))
      expect(messages.slice(0, items.length).map((e) => e.resident.userId)).toEqual(items.map((i) => i.sender.id))
      for (const r of parsed.rejected) expect(r.reason).not.toContain("PII-")
      if (parsed.ignored !== null) expect(parsed.ignored).not.toContain("PII-")
    }), { numRuns: 300 })
  })
})
