import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseTwilioWebhook } from "./parse.ts"
import { smsSegments } from "./segments.ts"
import { sortedFields, twilioSignature, verifyTwilioSignature } from "./signature.ts"

const FIELDS = ["MessageSid", "SmsSid", "AccountSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaContentType0", "MediaUrl1", "NumSegments", "MessageStatus", "ErrorCode", "MessagingServiceSid"]
const value = fc.oneof(fc.string(), fc.constantFrom("+31612345678", "SM" + "a".repeat(32), "0", "1", "2", "delivered", "undelivered", "queued", "30003", ""))
const form = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string()), value)

describe("parseTwilioWebhook under arbitrary forms", () => {
  it("never throws, and accounts for every post (events, one parked item, or ignored)", () => {
    fc.assert(fc.property(form, (body) => {
      const parsed = parseTwilioWebhook(body)
      const accounted = (parsed.events.length > 0 ? 1 : 0) + parsed.rejected.length + (parsed.ignored === null ? 0 : 1)
      expect(accounted).toBe(1)
      for (const rejected of parsed.rejected) for (const field of ["From", "To", "Body"]) {
        // The list of Twilio's status words is the parser's own text, not the post's: a "To" of
        // "queued" is found there without being echoed.
        const own = rejected.reason.replace(/expected one of [^)]*\)/, "")
        if ((body[field] ?? "").length > 3) expect(own).not.toContain(body[field])
      }
    }), { numRuns: 500 })
  })
})

describe("a status Twilio does not send", () => {
  it("is named in the reason when it is a status word, and never echoed when it could be a number or text", () => {
    const post = (status: string) => parseTwilioWebhook({ MessageSid: "SM" + "a".repeat(32), From: "+31612345678", To: "+3197010203040", MessageStatus: status })
    expect(post("rerouted").rejected[0]?.reason).toBe('unknown MessageStatus "rerouted"')
    for (const status of ["30003", "+31612345678", "Bel mij terug"]) {
      const reason = post(status).rejected[0]?.reason ?? ""
      expect(reason).toContain("unknown MessageStatus (not a Twilio status word")
      expect(reason).not.toContain(status)
    }
  })
})

describe("segments of arbitrary text", () => {
  it("fit the text: never fewer than the units need, never more than one per unit beyond a full segment", () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 2000 }), fc.string({ unit: "grapheme", maxLength: 700 }), fc.string({ unit: fc.constantFrom("a", "€", "é", " "), maxLength: 2000 })), (text) => {
      const { segments, units, perSegment } = smsSegments(text)
      expect(segments).toBeGreaterThanOrEqual(Math.max(1, Math.ceil(units / perSegment)))
      // A two-unit character is never split: at most one unit per segment is left empty.
      if (segments > 1) expect(segments).toBeLessThanOrEqual(Math.ceil(units / (perSegment - 1)))
    }), { numRuns: 500 })
  })
})

describe("X-Twilio-Signature over arbitrary forms", () => {
  it("accepts what is signed and refuses any changed value", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.string({ minLength: 1 }), fc.string()), { minLength: 1, maxLength: 12 }), fc.nat(), (pairs, pick) => {
      const body = new URLSearchParams(pairs).toString()
      const url = "https://loket.gemeente.nl/webhooks/sms"
      const signature = twilioSignature("auth-token-123", url, sortedFields(body))
      expect(verifyTwilioSignature(signature, "auth-token-123", url, new TextEncoder().encode(body))).toEqual({ ok: true })
      const changed = pairs.map(([k, v], n): [string, string] => [k, n === pick % pairs.length ? `${v}x` : v])
      const tampered = new TextEncoder().encode(new URLSearchParams(changed).toString())
      expect(verifyTwilioSignature(signature, "auth-token-123", url, tampered)).toMatchObject({ ok: false, code: "signature_invalid" })
    }), { numRuns: 300 })
  })
})
