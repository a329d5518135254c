/**
 * SMS (Twilio-compatible) end to end, over real HTTP on loopback behind a pretend proxy
 * (`LOKET_PUBLIC_URL`): a resident's signed SMS → conversation → an agent's reply → the
 * Messages API request (msw, checked against Twilio's documented format) → signed status
 * callbacks → `delivered`.
 */
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { sortedFields, twilioSignature } from "../../adapters/sms/signature.ts"
import { twilioError, twilioMock } from "../msw/twilio.ts"
import { auth, baseEnv, eventually, startGateway, type TestGateway } from "../support/gateway.ts"
import {
  ACCOUNT_SID, AUTH_TOKEN, inboundSms, MUNICIPALITY_NUMBER, newResidentNumber, newSid, postTwilio, PUBLIC_URL, smsEnv, statusCallback, TWILIO_API
} from "../support/sms.ts"
import { allConversations, allMessages } from "../support/whatsapp.ts"

const PHOTO_SID = "ME" + "f".repeat(32)
const twilio = twilioMock({ apiUrl: TWILIO_API, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, media: { [PHOTO_SID]: { bytes: new TextEncoder().encode("JPEGDATA"), contentType: "image/jpeg" } } })
const msw = setupServer(...twilio.handlers)
let gw: TestGateway

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "bypass" })
  gw = await startGateway(baseEnv(smsEnv()))
})
afterAll(async () => {
  await gw.close()
  msw.close()
})
afterEach(() => twilio.assertValid())

/** The handle Loket keeps: the E.164 number without `+`. */
const handleOf = (e164: string) => e164.slice(1)

async function conversationOf(e164: string) {
  return eventually(async () => (await allConversations(gw.url)).find((c) => c.channel === "sms" && c.contact.handle === handleOf(e164)), (c) => c !== undefined)
}

const send = (conversationId: string, body: unknown) =>
  fetch(`${gw.url}/api/v1/conversations/${conversationId}/messages`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) })

const messageById = async (conversationId: string, id: string) => (await allMessages(gw.url, conversationId)).find((m) => m.id === id)

async function residentWrites(text: string) {
  const resident = newResidentNumber()
  expect((await postTwilio(gw.url, inboundSms(resident, text))).status).toBe(200)
  return { resident, conversation: await conversationOf(resident) }
}

describe("SMS inbound", () => {
  it("turns a resident's SMS into a conversation on the municipality's number, one contact per number, without a window", async () => {
    const resident = newResidentNumber()
    const sms = inboundSms(resident, "Mijn container is niet geleegd")
    const res = await postTwilio(gw.url, sms)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: "accepted", accepted: 1, duplicates: 0 })

    const conversation = await conversationOf(resident)
    expect(conversation).toMatchObject({
      channel: "sms", channelAccountId: MUNICIPALITY_NUMBER, status: "open", windowExpiresAt: null,
      contact: { handle: handleOf(resident), name: null }
    })
    const [message] = await allMessages(gw.url, conversation.id)
    expect(message).toMatchObject({ direction: "inbound", type: "text", text: "Mijn container is niet geleegd", status: "received", providerMessageId: sms.MessageSid })

    // Twilio retries a post that got no 2xx: the same MessageSid changes nothing.
    expect(await (await postTwilio(gw.url, sms)).json()).toMatchObject({ status: "accepted", accepted: 0, duplicates: 1 })
    // STOP is Twilio's opt-out keyword: Loket records it like any message, so agents see it.
    expect((await postTwilio(gw.url, inboundSms(resident, "STOP"))).status).toBe(200)
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length === 2)
    expect(messages[1]).toMatchObject({ type: "text", text: "STOP" })
    expect((await allConversations(gw.url)).filter((c) => c.channel === "sms" && c.contact.handle === handleOf(resident))).toHaveLength(1)
  })

  it("takes an MMS picture, and streams it to agents through the Messages API's Media resource", async () => {
    const resident = newResidentNumber()
    const sid = newSid("MM")
    const mms = inboundSms(resident, "Losliggende stoeptegel", {
      MessageSid: sid, SmsSid: sid, SmsMessageSid: sid, NumMedia: "1", MediaContentType0: "image/jpeg",
      MediaUrl0: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}/Media/${PHOTO_SID}`
    })
    expect((await postTwilio(gw.url, mms)).status).toBe(200)
    const conversation = await conversationOf(resident)
    const [message] = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length === 1)
    expect(message).toMatchObject({ type: "image", text: "Losliggende stoeptegel", media: { id: `sms:${sid}:${PHOTO_SID}`, mimeType: "image/jpeg" } })
    const file = await fetch(`${gw.url}/api/v1/media/${encodeURIComponent(message.media.id)}`, { headers: auth })
    expect(file.status).toBe(200)
    expect(file.headers.get("content-type")).toBe("image/jpeg")
    expect(await file.text()).toBe("JPEGDATA")
    const gone = await fetch(`${gw.url}/api/v1/media/${encodeURIComponent(`sms:${sid}:ME${"0".repeat(32)}`)}`, { headers: auth })
    expect(gone.status).toBe(404)
  })
})

describe("SMS webhook security", () => {
  it("answers 401 without X-Twilio-Signature, with a wrong one, and with one over the loopback URL instead of LOKET_PUBLIC_URL", async () => {
    const resident = newResidentNumber()
    const sms = inboundSms(resident, "a")
    const missing = await postTwilio(gw.url, sms, { signature: null })
    expect(missing.status).toBe(401)
    expect((await missing.json()).error.code).toBe("signature_missing")
    const wrongToken = await postTwilio(gw.url, sms, { token: "another-auth-token-0123456789" })
    expect(wrongToken.status).toBe(401)
    expect((await wrongToken.json()).error).toMatchObject({ code: "signature_invalid", message: expect.stringContaining("LOKET_PUBLIC_URL") })
    const loopback = await postTwilio(gw.url, sms, { signedUrl: `${gw.url}/webhooks/sms` })
    expect(loopback.status).toBe(401)
    const malformed = await postTwilio(gw.url, sms, { signature: "geen handtekening" })
    expect((await malformed.json()).error.code).toBe("signature_malformed")
    // The same body signed over the public URL with the port Twilio sometimes writes out is Twilio's.
    const signedWithPort = await postTwilio(gw.url, sms, { signedUrl: `${PUBLIC_URL}:443/webhooks/sms` })
    expect(signedWithPort.status).toBe(200)
    // A field changed after signing: refused.
    const signature = twilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/webhooks/sms`, sortedFields(new URLSearchParams(sms).toString()))
    const tampered = await postTwilio(gw.url, { ...sms, MessageSid: newSid(), Body: "b" }, { signature })
    expect(tampered.status).toBe(401)
    expect((await allMessages(gw.url, (await conversationOf(resident)).id)).map((m) => m.text)).toEqual(["a"])
  })

  it("signs over the query string too, and without LOKET_PUBLIC_URL over the URL the request arrived on (no status callback URL then)", async () => {
    const resident = newResidentNumber()
    expect((await postTwilio(gw.url, inboundSms(resident, "met query"), { query: "?gemeente=utrecht" })).status).toBe(200)
    const signedWithoutQuery = await postTwilio(gw.url, inboundSms(resident, "b"), { query: "?gemeente=utrecht", signedUrl: `${PUBLIC_URL}/webhooks/sms` })
    expect(signedWithoutQuery.status).toBe(401)

    const direct = await startGateway(baseEnv(smsEnv({ LOKET_PUBLIC_URL: "" })))
    try {
      const other = newResidentNumber()
      expect((await postTwilio(direct.url, inboundSms(other, "a"))).status).toBe(401)
      expect((await postTwilio(direct.url, inboundSms(other, "rechtstreeks"), { signedUrl: `${direct.url}/webhooks/sms` })).status).toBe(200)
      const conversation = await eventually(async () => (await allConversations(direct.url)).find((c) => c.contact.handle === handleOf(other)), (c) => c !== undefined)
      const queued = await (await fetch(`${direct.url}/api/v1/conversations/${conversation.id}/messages`, {
        method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: "Ontvangen" })
      })).json()
      await eventually(async () => (await allMessages(direct.url, conversation.id)).find((m) => m.id === queued.id)?.status, (s) => s === "sent")
      expect(twilio.sentTo(other)[0]!.fields).toEqual({ To: other, From: MUNICIPALITY_NUMBER, Body: "Ontvangen" })
    } finally {
      await direct.close()
    }
  })

  it("answers 413 above 64 KiB, lists /webhooks/sms as a form post in the OpenAPI document, and has no GET", async () => {
    const big = await postTwilio(gw.url, inboundSms(newResidentNumber(), "x".repeat(70 * 1024)))
    expect(big.status).toBe(413)
    expect((await big.json()).error.code).toBe("payload_too_large")
    const document = await (await fetch(`${gw.url}/api/v1/openapi.json`)).json()
    expect(Object.keys(document.paths["/webhooks/sms"])).toEqual(["post"])
    expect(Object.keys(document.paths["/webhooks/sms"].post.requestBody.content)).toEqual(["application/x-www-form-urlencoded"])
    expect((await fetch(`${gw.url}/webhooks/sms`)).status).toBe(404)
  })

  it("answers 503 channel_not_configured while TWILIO_AUTH_TOKEN is not set", async () => {
    const bare = await startGateway(baseEnv())
    try {
      const res = await postTwilio(bare.url, inboundSms(newResidentNumber(), "a"))
      expect(res.status).toBe(503)
      expect((await res.json()).error).toMatchObject({ code: "channel_not_configured", message: expect.stringContaining("TWILIO_AUTH_TOKEN") })
    } finally {
      await bare.close()
    }
  })
})

describe("SMS replies", () => {
  it("sends an agent's reply through the Messages API and follows Twilio's status callbacks to delivered, forward only", async () => {
    const { resident, conversation } = await residentWrites("Wanneer komt de vuilniswagen?")
    const res = await send(conversation.id, { text: "Morgen tussen 7 en 12 uur." })
    expect(res.status).toBe(202)
    const queued = await res.json()
    const sent = await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "sent")
    const [call] = twilio.sentTo(resident)
    expect(call!.fields).toEqual({ To: resident, From: MUNICIPALITY_NUMBER, Body: "Morgen tussen 7 en 12 uur.", StatusCallback: `${PUBLIC_URL}/webhooks/sms` })
    expect(sent.providerMessageId).toBe(call!.sid)

    // Twilio posts each step to the StatusCallback URL, signed like any webhook.
    for (const status of ["queued", "sent", "delivered"]) {
      expect((await postTwilio(gw.url, statusCallback(call!.sid, resident, status))).status).toBe(200)
    }
    await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "delivered")
    // A late "sent" does not move it back.
    expect((await postTwilio(gw.url, statusCallback(call!.sid, resident, "sent", { SmsStatus: "sent" }))).status).toBe(200)
    const unsigned = await postTwilio(gw.url, statusCallback(call!.sid, resident, "failed"), { signature: null })
    expect(unsigned.status).toBe(401)
    const stored = await messageById(conversation.id, queued.id)
    expect(stored).toMatchObject({ status: "delivered", error: null })
  })

  it("marks a reply failed with Twilio's error code and title when the network could not deliver it", async () => {
    const { resident, conversation } = await residentWrites("Hallo")
    const queued = await (await send(conversation.id, { text: "Uw afspraak is bevestigd." })).json()
    await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "sent")
    const [call] = twilio.sentTo(resident)
    await postTwilio(gw.url, statusCallback(call!.sid, resident, "undelivered", { ErrorCode: "30003" }))
    const failed = await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "failed")
    expect(failed.error).toEqual({ code: 30003, title: "Unreachable destination handset" })
  })

  it("answers 422 for what SMS cannot send and for texts over 1,600 characters, before anything reaches Twilio", async () => {
    const { resident, conversation } = await residentWrites("Hallo")
    const photo = await send(conversation.id, { media: { type: "image", link: "https://www.gemeente.nl/kaart.jpg" } })
    expect(photo.status).toBe(422)
    expect((await photo.json()).error).toMatchObject({ code: "not_supported_by_channel", message: expect.stringContaining("SMS cannot send image") })
    const template = await send(conversation.id, { template: { name: "gemeente_follow_up", language: "nl" } })
    expect((await template.json()).error.code).toBe("not_supported_by_channel")
    const long = await send(conversation.id, { text: "a".repeat(1601) })
    expect(long.status).toBe(422)
    expect((await long.json()).error).toMatchObject({ code: "invalid_message", details: [{ path: "text", message: expect.stringContaining("1600") }] })
    const read = await fetch(`${gw.url}/api/v1/conversations/${conversation.id}/read`, { method: "POST", headers: auth })
    expect((await read.json()).error.code).toBe("not_supported_by_channel")
    // 1,600 GSM-7 characters are fine: Twilio splits them into 11 segments.
    const longest = await send(conversation.id, { text: "b".repeat(1600) })
    expect(longest.status).toBe(202)
    await eventually(async () => twilio.sentTo(resident).length, (n) => n === 1)
    expect(twilio.sentTo(resident)[0]!.fields.Body).toHaveLength(1600)
  })

  it("retries after Twilio's 20429 and sends once; fails for good on 21211 and 21610 with Twilio's code", async () => {
    const { resident, conversation } = await residentWrites("Hallo")
    twilio.script(twilioError(429, 20429, "Too Many Requests", { "retry-after": "1" }))
    const first = await (await send(conversation.id, { text: "Even geduld" })).json()
    await eventually(() => messageById(conversation.id, first.id), (m) => m?.status === "sent", 15_000)
    const calls = twilio.sentTo(resident)
    expect(calls).toHaveLength(2)
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900)

    twilio.script(twilioError(400, 21610, `Attempt to send to unsubscribed recipient ${resident}`))
    const second = await (await send(conversation.id, { text: "Nog iets" })).json()
    const failed = await eventually(() => messageById(conversation.id, second.id), (m) => m?.status === "failed")
    expect(failed.error).toEqual({ code: 21610, title: "The resident has unsubscribed (replied STOP)" })
    expect(JSON.stringify(failed.error)).not.toContain(handleOf(resident))

    twilio.script(twilioError(400, 21211, `The 'To' number ${resident} is not a valid phone number.`))
    const third = await (await send(conversation.id, { text: "En nog iets" })).json()
    const invalid = await eventually(() => messageById(conversation.id, third.id), (m) => m?.status === "failed")
    expect(invalid.error).toEqual({ code: 21211, title: "Invalid 'To' phone number" })
    expect(twilio.sentTo(resident)).toHaveLength(4)
  })

  it("fails on rejected credentials (20003) and raises an alert naming the variables, never the token", async () => {
    const { conversation } = await residentWrites("Hallo")
    const controller = new AbortController()
    const stream = await fetch(`${gw.url}/api/v1/events`, { headers: auth, signal: controller.signal })
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader()
    twilio.script(twilioError(401, 20003, "Authenticate"))
    const message = await (await send(conversation.id, { text: "Token?" })).json()
    let text = ""
    const deadline = Date.now() + 15_000
    while (!text.includes("event: channel.alert") && Date.now() < deadline) text += (await reader.read()).value ?? ""
    controller.abort()
    expect(text).toContain("event: channel.alert")
    expect(text).toContain("TWILIO_AUTH_TOKEN")
    expect(text).not.toContain(AUTH_TOKEN)
    const failed = await eventually(() => messageById(conversation.id, message.id), (m) => m?.status === "failed")
    expect(failed.error).toEqual({ code: 20003, title: "Authentication failed (Account SID or Auth Token)" })
  })
})
