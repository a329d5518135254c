import { ConfigProvider, Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { SmsConfig } from "./config.ts"
import { failureOf } from "./errors.ts"
import { makeSmsAdapter, parseTwilioWebhook, smsSegments, toMessageForm, twilioSignature, validateSmsOutbound, verifyTwilioSignature } from "./mod.ts"
import { sortedFields, urlVariants } from "./signature.ts"

const read = (env: Record<string, string>) => Effect.runPromise(Effect.result(SmsConfig.parse(ConfigProvider.fromEnv({ env }))))
const SID = "AC" + "a".repeat(32)
const bytes = (form: string) => new TextEncoder().encode(form)

describe("SMS configuration", () => {
  it("reads the Account SID, token, sender and API URL, with Twilio's URL as default", async () => {
    const ok = await read({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: "0123456789abcdef0123456789abcdef", TWILIO_FROM: "+3197010123456" })
    expect(ok._tag).toBe("Success")
    if (ok._tag === "Success") expect(ok.success).toMatchObject({ accountSid: SID, from: "+3197010123456", apiUrl: "https://api.twilio.com", publicUrl: undefined })
    // Docker Compose's ${VAR:-} hands empty values: not set.
    const empty = await read({ TWILIO_ACCOUNT_SID: "", TWILIO_AUTH_TOKEN: "", TWILIO_FROM: "", LOKET_PUBLIC_URL: "" })
    if (empty._tag === "Success") expect(empty.success).toMatchObject({ accountSid: undefined, authToken: undefined, from: undefined, publicUrl: undefined })
    else expect.unreachable("empty values are not set")
  })

  it("refuses a SID or sender Twilio would not accept, naming the variable", async () => {
    const sid = await read({ TWILIO_ACCOUNT_SID: "SK123" })
    expect(sid._tag === "Failure" && String(sid.failure)).toContain("TWILIO_ACCOUNT_SID")
    const from = await read({ TWILIO_FROM: "06-12345678" })
    expect(from._tag === "Failure" && String(from.failure)).toContain("TWILIO_FROM")
  })

  it("says at start what is missing, the status callback URL included", () => {
    const none = { accountSid: undefined, authToken: undefined, from: undefined, apiUrl: "https://api.twilio.com", publicUrl: undefined }
    expect(makeSmsAdapter(none).startNotice).toMatch(/^SMS is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM/)
    expect(makeSmsAdapter(none).sender).toBeUndefined()
    const full = { ...none, accountSid: SID, authToken: Redacted.make("secret-token"), from: "+3197010123456" }
    expect(makeSmsAdapter(full).startNotice).toContain("LOKET_PUBLIC_URL")
    expect(makeSmsAdapter(full).startNotice).not.toContain("secret-token")
    expect(makeSmsAdapter({ ...full, publicUrl: "https://loket.gemeente.nl" }).startNotice).toBeNull()
    expect(makeSmsAdapter(full).sender).toBeDefined()
  })
})

describe("X-Twilio-Signature", () => {
  // Twilio's documented example (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
  const url = "https://mycompany.com/myapp.php?foo=1&bar=2"
  const form = "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212"

  it("computes Twilio's own example signature", () => {
    expect(twilioSignature("12345", url, sortedFields(form))).toBe("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    // The fields are sorted by name whatever order they arrive in.
    expect(twilioSignature("12345", url, sortedFields("To=%2B18005551212&Digits=1234&From=%2B12349013030&CallSid=CA1234567890ABCDE&Caller=%2B12349013030"))).toBe("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    expect(verifyTwilioSignature("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "12345", url, bytes(form))).toEqual({ ok: true })
  })

  it("refuses a changed field, a changed URL, another token, a missing or malformed header", () => {
    expect(verifyTwilioSignature("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "12345", url, bytes(form.replace("1234&", "1235&")))).toMatchObject({ ok: false, code: "signature_invalid" })
    expect(verifyTwilioSignature("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "12345", "https://mycompany.com/myapp.php?foo=1&bar=3", bytes(form))).toMatchObject({ ok: false, code: "signature_invalid" })
    expect(verifyTwilioSignature("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "54321", url, bytes(form))).toMatchObject({ ok: false, code: "signature_invalid" })
    expect(verifyTwilioSignature(null, "12345", url, bytes(form))).toMatchObject({ ok: false, code: "signature_missing" })
    expect(verifyTwilioSignature("not base64!", "12345", url, bytes(form))).toMatchObject({ ok: false, code: "signature_malformed" })
    expect(verifyTwilioSignature("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", undefined, url, bytes(form))).toMatchObject({ ok: false, code: "channel_not_configured" })
  })

  it("accepts the URL with the default port written out or left off, as Twilio's libraries do", () => {
    expect(urlVariants("https://a.nl/webhooks/sms?x=1")).toEqual(["https://a.nl/webhooks/sms?x=1", "https://a.nl:443/webhooks/sms?x=1"])
    expect(urlVariants("https://a.nl:443/webhooks/sms")).toEqual(["https://a.nl:443/webhooks/sms", "https://a.nl/webhooks/sms"])
    expect(urlVariants("http://127.0.0.1:8080/webhooks/sms")).toEqual(["http://127.0.0.1:8080/webhooks/sms"])
    const withPort = twilioSignature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", sortedFields(form))
    expect(verifyTwilioSignature(withPort, "12345", url, bytes(form))).toEqual({ ok: true })
  })
})

describe("segments", () => {
  it("counts GSM-7 texts at 160 for one SMS and 153 per concatenated segment", () => {
    expect(smsSegments("a".repeat(160))).toEqual({ encoding: "GSM-7", segments: 1, units: 160, perSegment: 160 })
    expect(smsSegments("a".repeat(161))).toMatchObject({ encoding: "GSM-7", segments: 2, perSegment: 153 })
    expect(smsSegments("a".repeat(306)).segments).toBe(2)
    expect(smsSegments("a".repeat(307)).segments).toBe(3)
    expect(smsSegments("a".repeat(1600)).segments).toBe(11)
    expect(smsSegments("ë".repeat(1600)).segments).toBe(24)
    // é and à are in the GSM alphabet; € takes two septets and is never split over two segments.
    expect(smsSegments("Afvalkalender 2027: één keer per week, à €5")).toMatchObject({ encoding: "GSM-7", segments: 1 })
    expect(smsSegments("Café à €5")).toMatchObject({ encoding: "GSM-7", units: 10 })
    expect(smsSegments("a".repeat(152) + "€" + "a".repeat(152))).toMatchObject({ units: 306, segments: 3 })
    expect(smsSegments("a".repeat(159) + "€")).toMatchObject({ units: 161, segments: 2 })
  })

  it("sends anything else as UCS-2: 70 for one SMS, 67 per segment, emoji as two units never split", () => {
    expect(smsSegments("Hoeveel kost een paspoort? 😀")).toMatchObject({ encoding: "UCS-2", units: 29, segments: 1 })
    expect(smsSegments("ë".repeat(70))).toMatchObject({ encoding: "UCS-2", segments: 1 })
    expect(smsSegments("ë".repeat(71))).toMatchObject({ encoding: "UCS-2", segments: 2, perSegment: 67 })
    expect(smsSegments("Geëmigreerd")).toMatchObject({ encoding: "UCS-2", units: 11 })
    expect(smsSegments("ë".repeat(66) + "😀" + "ë".repeat(66))).toMatchObject({ units: 134, segments: 3 })
    expect(smsSegments("ë".repeat(134)).segments).toBe(2)
  })
})

describe("parseTwilioWebhook", () => {
  const now = () => new Date("2027-03-01T09:00:00.000Z")
  const inbound = { MessageSid: "SM" + "1".repeat(32), SmsSid: "SM" + "1".repeat(32), AccountSid: SID, From: "+31612345678", To: "+3197010123456", Body: "STOP", NumMedia: "0", NumSegments: "1", SmsStatus: "received", ApiVersion: "2010-04-01" }

  it("records a resident's SMS — STOP included — as a text from their number, without + and without a name", () => {
    expect(parseTwilioWebhook(inbound, now).events).toEqual([expect.objectContaining({
      kind: "message", key: `sms:msg:${inbound.MessageSid}`, channel: "sms", channelAccountId: "+3197010123456",
      resident: { waId: "31612345678", userId: null, name: null },
      message: expect.objectContaining({ type: "text", text: "STOP", providerMessageId: inbound.MessageSid, createdAt: "2027-03-01T09:00:00.000Z" })
    })])
  })

  it("turns an MMS into one message per picture, the text on the first", () => {
    const mms = { ...inbound, MessageSid: "MM" + "2".repeat(32), Body: "Kapotte lantaarnpaal", NumMedia: "2",
      MediaUrl0: `https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages/MM${"2".repeat(32)}/Media/ME${"a".repeat(32)}`, MediaContentType0: "image/jpeg",
      MediaUrl1: `https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages/MM${"2".repeat(32)}/Media/ME${"b".repeat(32)}`, MediaContentType1: "video/mp4" }
    const { events } = parseTwilioWebhook(mms, now)
    expect(events.map((e) => e.key)).toEqual([`sms:msg:${mms.MessageSid}`, `sms:msg:${mms.MessageSid}:1`])
    expect(events.map((e) => e.kind === "message" && [e.message.type, e.message.text, e.message.media?.id])).toEqual([
      ["image", "Kapotte lantaarnpaal", `sms:${mms.MessageSid}:ME${"a".repeat(32)}`],
      ["video", null, `sms:${mms.MessageSid}:ME${"b".repeat(32)}`]
    ])
  })

  it("reads status callbacks forward: sent, delivered, failed with Twilio's code and title; ignores steps before sending", () => {
    const callback = { MessageSid: "SM" + "3".repeat(32), AccountSid: SID, From: "+3197010123456", To: "+31612345678", ApiVersion: "2010-04-01" }
    expect(parseTwilioWebhook({ ...callback, MessageStatus: "delivered", SmsStatus: "delivered" }, now).events[0]).toMatchObject({
      kind: "status", key: `sms:status:${callback.MessageSid}:delivered`, status: "delivered", providerMessageId: callback.MessageSid,
      channelAccountId: "+3197010123456", resident: { waId: "31612345678" }, error: null
    })
    expect(parseTwilioWebhook({ ...callback, MessageStatus: "undelivered", ErrorCode: "30003" }, now).events[0]).toMatchObject({ status: "failed", error: { code: 30003, title: "Unreachable destination handset" } })
    expect(parseTwilioWebhook({ ...callback, MessageStatus: "failed" }, now).events[0]).toMatchObject({ status: "failed", error: { code: "failed" } })
    expect(parseTwilioWebhook({ ...callback, MessageStatus: "queued" }, now)).toMatchObject({ events: [], ignored: expect.stringContaining("queued") })
    expect(parseTwilioWebhook({ ...callback, MessageStatus: "exploded" }, now).rejected[0]).toMatchObject({ path: "MessageStatus" })
  })

  it("parks what it cannot read, without the resident's data in the reason", () => {
    const bad = parseTwilioWebhook({ ...inbound, From: "0612345678" }, now)
    expect(bad.rejected[0]).toMatchObject({ path: "From" })
    expect(bad.rejected[0]!.reason).not.toContain("0612345678")
    expect(parseTwilioWebhook({ Body: "x" }, now).rejected[0]).toMatchObject({ path: "MessageSid" })
    expect(parseTwilioWebhook({ ...inbound, NumMedia: "1", MediaUrl0: "https://evil.example/x.jpg" }, now).rejected[0]).toMatchObject({ path: "MediaUrl0" })
  })
})

describe("outbound", () => {
  const request = (text: string, channelAccountId = "+3197010123456") =>
    ({ channelAccountId, to: { waId: "31612345678", userId: null }, content: { type: "text" as const, text, previewUrl: false }, trackingId: "msg_1" })

  it("posts To and From in E.164, the Body and the status callback URL", () => {
    const form = toMessageForm(request("Uw paspoort ligt klaar."), { from: "+3197010999999", publicUrl: "https://loket.gemeente.nl" })
    expect(Object.fromEntries(form)).toEqual({ To: "+31612345678", From: "+3197010123456", Body: "Uw paspoort ligt klaar.", StatusCallback: "https://loket.gemeente.nl/webhooks/sms" })
    const service = toMessageForm(request("Hoi"), { from: "MG" + "c".repeat(32), publicUrl: undefined })
    expect(Object.fromEntries(service)).toEqual({ To: "+31612345678", MessagingServiceSid: "MG" + "c".repeat(32), Body: "Hoi" })
  })

  it("refuses texts over 1,600 characters (emoji count two) and empty ones, naming the limit", () => {
    expect(validateSmsOutbound({ type: "text", text: "a".repeat(1600), previewUrl: false })).toEqual([])
    const long = validateSmsOutbound({ type: "text", text: "😀".repeat(801), previewUrl: false })
    expect(long).toEqual([{ path: "text", message: expect.stringContaining("1600") }])
    expect(validateSmsOutbound({ type: "text", text: "  ", previewUrl: false })[0]).toMatchObject({ path: "text" })
  })

  it("reads Messages API failures as the outbox needs them", () => {
    expect(failureOf(400, { code: 21211, message: "The 'To' number +31612345678 is not a valid phone number.", status: 400 }, null)).toEqual({ retryable: false, code: 21211, title: "Invalid 'To' phone number", tokenExpired: false, retryAfterMs: null })
    expect(failureOf(400, { code: 21610, message: "Attempt to send to unsubscribed recipient", status: 400 }, null)).toMatchObject({ retryable: false, code: 21610 })
    expect(failureOf(429, { code: 20429, message: "Too Many Requests", status: 429 }, "2")).toMatchObject({ retryable: true, retryAfterMs: 2000 })
    expect(failureOf(503, undefined, null)).toMatchObject({ retryable: true, code: 503 })
    expect(failureOf(401, { code: 20003, message: "Authenticate", status: 401 }, null)).toMatchObject({ retryable: false, tokenExpired: true, code: 20003 })
    // Twilio's message may quote the number: it never reaches the title.
    expect(failureOf(400, { code: 21999, message: "Number +31612345678 is odd", status: 400 }, null).title).not.toContain("31612345678")
  })
})
