import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseUpdate } from "./parse.ts"

const resident = fc.record({ id: fc.integer({ min: 1, max: 2 ** 40 }), is_bot: fc.constant(false), first_name: fc.string({ minLength: 1 }) })
const content = fc.oneof(
  fc.record({ text: fc.string({ minLength: 1 }) }),
  fc.record({ photo: fc.array(fc.record({ file_id: fc.string({ minLength: 1 }), file_unique_id: fc.string(), width: fc.nat(), height: fc.nat() }), { minLength: 1 }), caption: fc.option(fc.string(), { nil: undefined }) }),
  fc.record({ document: fc.record({ file_id: fc.string({ minLength: 1 }), file_unique_id: fc.string(), file_name: fc.option(fc.string(), { nil: undefined }) }) }),
  fc.record({ location: fc.record({ latitude: fc.double({ min: -90, max: 90, noNaN: true }), longitude: fc.double({ min: -180, max: 180, noNaN: true }) }) }),
  fc.record({ contact: fc.record({ phone_number: fc.string(), first_name: fc.string() }) })
)
const update = fc.tuple(fc.nat(), fc.nat(), resident, content).map(([updateId, messageId, from, c]) => ({
  update_id: updateId,
  message: { message_id: messageId, from, chat: { id: from.id, type: "private" }, date: 1_800_000_000, ...c }
}))

describe("parseUpdate under arbitrary input", () => {
  it("never throws on arbitrary JSON, and accounts for every body (an event, a parked item, or ignored)", () => {
    fc.assert(fc.property(fc.jsonValue(), (body) => {
      const parsed = parseUpdate(body, "1")
      expect(parsed.events.length + parsed.rejected.length + (parsed.ignored === null ? 0 : 1)).toBe(1)
    }), { numRuns: 500 })
  })

  it("turns every well-formed private message into exactly one event keyed by its update_id", () => {
    fc.assert(fc.property(update, (u) => {
      const parsed = parseUpdate(u, "1")
      expect(parsed.events).toHaveLength(1)
      expect(parsed.events[0]!.key).toBe(`telegram:update:${u.update_id}`)
      expect(parsed.events[0]!.kind === "message" && parsed.events[0]!.resident.userId).toBe(String(u.message.chat.id))
    }), { numRuns: 300 })
  })
})
