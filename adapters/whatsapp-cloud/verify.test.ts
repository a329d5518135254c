import { createHmac } from "node:crypto"
import { describe, expect, it } from "vitest"
import { sign, textMessage, webhookBody } from "./fixtures.ts"
import { whatsappChannel, whatsappWebhook } from "./mod.ts"
import { verifyHandshake, verifySignature } from "./verify.ts"

const secret = "app-secret-gemeente"
const raw = JSON.stringify(webhookBody({ messages: [textMessage({ body: "Hoi gemeente" })] }))
const bytes = new TextEncoder().encode(raw)

describe("verifySignature", () => {
  it("accepts the HMAC-SHA256 of the raw body", () => {
    expect(verifySignature(bytes, sign(raw, secret), secret)).toEqual({ ok: true })
  })

  it("accepts upper-case hex", () => {
    const header = `sha256=${createHmac("sha256", secret).update(bytes).digest("hex").toUpperCase()}`
    expect(verifySignature(bytes, header, secret).ok).toBe(true)
  })

  it("signs bytes and strings alike (fixture sign)", () => {
    expect(sign(bytes, secret)).toBe(sign(raw, secret))
  })

  it("rejects a tampered body", () => {
    const tampered = new TextEncoder().encode(raw.replace("Hoi", "Hai"))
    expect(verifySignature(tampered, sign(raw, secret), secret)).toMatchObject({ ok: false, code: "signature_invalid" })
  })

  it("rejects a signature made with another secret", () => {
    expect(verifySignature(bytes, sign(raw, "other"), secret)).toMatchObject({ ok: false, code: "signature_invalid" })
  })

  it("checks the exact bytes: re-serialised JSON does not pass", () => {
    const reformatted = new TextEncoder().encode(JSON.stringify(JSON.parse(raw), null, 2))
    expect(verifySignature(reformatted, sign(raw, secret), secret).ok).toBe(false)
  })

  it.each([undefined, null, "", "   "])("reports a missing header (%j)", (header) => {
    expect(verifySignature(bytes, header, secret)).toMatchObject({ ok: false, code: "signature_missing" })
  })

  it("treats a SHA-1-only header as malformed", () => {
    const sha1 = `sha1=${createHmac("sha1", secret).update(bytes).digest("hex")}`
    expect(verifySignature(bytes, sha1, secret)).toMatchObject({ ok: false, code: "signature_malformed" })
  })

  it.each([
    "garbage",
    "sha256=",
    "sha256=abc",
    `sha256=${"a".repeat(63)}`,
    `sha256=${"a".repeat(65)}`,
    `sha256=${"g".repeat(64)}`,
    `SHA256=${"a".repeat(64)}`,
    `sha256=${"a".repeat(64)}, sha256=${"b".repeat(64)}`
  ])("treats %j as malformed", (header) => {
    expect(verifySignature(bytes, header, secret)).toMatchObject({ ok: false, code: "signature_malformed" })
  })

  it("refuses everything with an empty secret", () => {
    expect(verifySignature(bytes, sign(raw, ""), "")).toMatchObject({ ok: false, code: "channel_not_configured" })
  })
})

describe("adapter.verify", () => {
  it("reads x-hub-signature-256 from Headers, case-insensitively", () => {
    const webhook = whatsappWebhook({ appSecret: secret })
    expect(webhook.verify({ raw: bytes, headers: new Headers({ "X-Hub-Signature-256": sign(raw, secret) }), url: "" })).toEqual({ ok: true })
    expect(webhook.verify({ raw: bytes, headers: new Headers(), url: "" })).toMatchObject({ ok: false, code: "signature_missing" })
  })

  it("reports channel_not_configured without an app secret", () => {
    const webhook = whatsappWebhook({ appSecret: undefined })
    const result = webhook.verify({ raw: bytes, headers: new Headers({ "x-hub-signature-256": sign(raw, secret) }), url: "" })
    expect(result).toMatchObject({ ok: false, code: "channel_not_configured" })
    expect(whatsappChannel.channel).toBe("whatsapp")
  })
})

describe("verifyHandshake", () => {
  const query = { mode: "subscribe", token: "verify-me", challenge: "1158201444" }

  it("echoes the challenge when the token matches", () => {
    expect(verifyHandshake(query, "verify-me")).toBe("1158201444")
  })

  it("refuses a wrong token, also one of another length", () => {
    expect(verifyHandshake({ ...query, token: "verify-mf" }, "verify-me")).toBeNull()
    expect(verifyHandshake({ ...query, token: "verify-me-too" }, "verify-me")).toBeNull()
  })

  it("refuses another mode and a missing token or challenge", () => {
    expect(verifyHandshake({ ...query, mode: "unsubscribe" }, "verify-me")).toBeNull()
    expect(verifyHandshake({ ...query, token: null }, "verify-me")).toBeNull()
    expect(verifyHandshake({ ...query, challenge: undefined }, "verify-me")).toBeNull()
  })

  it("refuses everything when no verify token is configured", () => {
    expect(verifyHandshake(query, undefined)).toBeNull()
    expect(verifyHandshake({ ...query, token: "" }, "")).toBeNull()
  })
})
