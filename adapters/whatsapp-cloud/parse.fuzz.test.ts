import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { ParsedWebhook } from "../../domain/InboundEvent.ts"
import * as f from "./fixtures.ts"
import { parseWebhook } from "./parse.ts"

const ITEM_PATH = /\.value\.(messages|statuses)\[\d+\]$/

/** How many messages[] / statuses[] items the body holds where Meta's shape says they are. */
function countItems(body: unknown): number {
  const root = body as { object?: unknown; entry?: unknown } | null
  if (typeof root !== "object" || root === null || Array.isArray(root) || root.object !== "whatsapp_business_account") return 0
  if (!Array.isArray(root.entry)) return 0
  let count = 0
  for (const entry of root.entry) {
    const changes = (entry as { changes?: unknown } | null)?.changes
    if (typeof entry !== "object" || entry === null || Array.isArray(entry) || !Array.isArray(changes)) continue
    for (const change of changes) {
      if (typeof change !== "object" || change === null || Array.isArray(change)) continue
      const { field, value } = change as { field?: unknown; value?: unknown }
      if (field !== "messages" || typeof value !== "object" || value === null || Array.isArray(value)) continue
      const { messages, statuses } = value as { messages?: unknown; statuses?: unknown }
      if (Array.isArray(messages)) count += messages.length
      if (Array.isArray(statuses)) count += statuses.length
    }
  }
  return count
}

function checkInvariants(body: unknown): ParsedWebhook {
  const parsed = parseWebhook(body)
  for (const event of parsed.events) {
    expect(typeof event.key).toBe("string")
    expect(event.key.length).toBeGreaterThan(0)
    expect(event.key.startsWith("whatsapp:")).toBe(true)
  }
  for (const rejected of parsed.rejected) {
    expect(rejected.path.startsWith("$")).toBe(true)
    expect(rejected.reason.length).toBeGreaterThan(0)
  }
  const itemEvents = parsed.events.filter((e) => e.kind === "message" || e.kind === "status").length
  const itemRejections = parsed.rejected.filter((r) => ITEM_PATH.test(r.path)).length
  expect(itemEvents + itemRejections).toBe(countItems(body))
  return parsed
}

const resident = fc.record({
  from: fc.option(fc.constantFrom("31612345678", "31687654321"), { nil: null }),
  userId: fc.option(fc.constantFrom("NL.1349120865530274", "BE.77"), { nil: undefined })
}).map((who) => (who.from === null && who.userId === undefined ? { from: null, userId: "NL.9" } : who))

const message = fc.tuple(fc.nat(16), resident, fc.string({ maxLength: 12 })).map(([kind, who, text]) => {
  const o = { from: who.from, ...(who.userId === undefined ? {} : { userId: who.userId }) }
  const all = [
    () => f.textMessage({ ...o, body: text }),
    () => f.imageMessage({ ...o, caption: text }),
    () => f.audioMessage(o),
    () => f.videoMessage(o),
    () => f.documentMessage({ ...o, filename: `${text}.pdf` }),
    () => f.stickerMessage({ ...o, animated: true }),
    () => f.locationMessage({ ...o, latitude: 52.1, longitude: "5.1" }),
    () => f.contactsMessage({ ...o, cards: [{ name: text, phones: ["+31 6 1"] }] }),
    () => f.buttonReplyMessage({ ...o, replyId: "a", title: text, context: { id: "wamid.Q" } }),
    () => f.listReplyMessage({ ...o, replyId: "b", title: text }),
    () => f.flowReplyMessage({ ...o, responseJson: "{}" }),
    () => f.quickReplyMessage({ ...o, payload: "P", text: text || "ok" }),
    () => f.reactionMessage({ ...o, messageId: "wamid.T", emoji: text }),
    () => f.orderMessage({ ...o, catalogId: "1", items: [{ productRetailerId: "x", quantity: 1, itemPrice: 2 }] }),
    () => f.systemMessage({ ...o, newWaId: "31600000000" }),
    () => f.requestWelcomeMessage(o),
    () => f.unsupportedMessage(o)
  ]
  return all[kind % all.length]!()
})

const status = fc.tuple(fc.constantFrom("sent", "delivered", "read", "played", "failed"), fc.boolean()).map(([s, bsuid]) =>
  f.statusUpdate({ id: "wamid.OUT", status: s, ...(bsuid ? { recipientId: null, recipientUserId: "NL.5" } : {}) })
)

const change = fc.record({
  phoneNumberId: fc.constantFrom("PN1", "PN2"),
  messages: fc.array(message, { maxLength: 5 }),
  statuses: fc.array(status, { maxLength: 3 })
}).map((v) => f.messagesChange({ ...v, contacts: [f.contact({ waId: "31612345678", userId: "NL.5" })] }))

const validBody = fc.array(fc.array(change, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 })
  .map((entries) => f.envelope(entries.map((changes) => f.entry({ changes }))))

/** Every [container, key] pair in a JSON tree, so a mutation can hit any node. */
function slots(node: unknown, out: Array<[Record<string, unknown> | Array<unknown>, string | number]> = []) {
  if (Array.isArray(node)) node.forEach((child, i) => { out.push([node, i]); slots(child, out) })
  else if (typeof node === "object" && node !== null) {
    for (const key of Object.keys(node)) { out.push([node as Record<string, unknown>, key]); slots((node as Record<string, unknown>)[key], out) }
  }
  return out
}

const mutation = fc.record({ at: fc.nat(), remove: fc.boolean(), value: fc.jsonValue({ maxDepth: 2 }) })

describe("parseWebhook under fuzzing", () => {
  it("never throws on arbitrary JSON", () => {
    fc.assert(fc.property(fc.jsonValue(), (body) => { checkInvariants(body) }), { numRuns: 500 })
  })

  it("never throws on arbitrary values, including non-JSON ones", () => {
    fc.assert(fc.property(fc.anything({ withNullPrototype: true, withMap: true, withSet: true }), (body) => { checkInvariants(body) }), { numRuns: 300 })
  })

  it("never throws on arbitrary entries under the right object", () => {
    fc.assert(fc.property(fc.jsonValue(), (entry) => {
      checkInvariants({ object: "whatsapp_business_account", entry })
      checkInvariants({ object: "whatsapp_business_account", entry: [{ id: "1", changes: [{ field: "messages", value: entry }] }] })
    }), { numRuns: 300 })
  })

  it("parses every item of valid bodies into an event", () => {
    fc.assert(fc.property(validBody, (body) => {
      const parsed = checkInvariants(body)
      expect(parsed.rejected).toEqual([])
      expect(parsed.events.length).toBe(countItems(body))
    }), { numRuns: 200 })
  })

  it("accounts for every item of mutated valid bodies", () => {
    fc.assert(fc.property(validBody, fc.array(mutation, { minLength: 1, maxLength: 6 }), (body, mutations) => {
      for (const m of mutations) {
        const all = slots(body)
        if (all.length === 0) break
        const [container, key] = all[m.at % all.length]!
        if (m.remove && !Array.isArray(container)) delete container[key as string]
        else (container as Record<string | number, unknown>)[key] = m.value
      }
      checkInvariants(body)
    }), { numRuns: 500 })
  })
})
