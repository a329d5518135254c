/**
 * Messenger end to end, over real HTTP on loopback: a signed `page` webhook → conversation → an
 * agent's reply → the Send API request (msw, checked against Meta's documented format) → sent,
 * delivered and read by Meta's watermarks; echoes from Meta Business Suite recorded once; the
 * 24-hour window and HUMAN_AGENT up to 7 days for people only.
 */
import { Effect } from "effect"
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { Conversations } from "../../actors/Conversations.ts"
import { graphError, messengerSendApiMock } from "../msw/messenger.ts"
import { APP_SECRET, auth, baseEnv, eventually, startGateway, type TestGateway, PLAYBOOK_OFF } from "../support/gateway.ts"
import {
  echoTo, fromResident, GRAPH, MESSENGER_VERIFY, messengerEnv, mid, newResidentId, PAGE_ID, PAGE_TOKEN, postMeta, webhook
} from "../support/meta-messaging.ts"
import { allConversations, allMessages } from "../support/whatsapp.ts"

const meta = messengerSendApiMock(GRAPH, PAGE_TOKEN)
const msw = setupServer(...meta.handlers)
let gw: TestGateway

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "bypass" })
  gw = await startGateway(baseEnv({ ...messengerEnv({ MESSENGER_HUMAN_AGENT: "true" }), ...PLAYBOOK_OFF }))
})
afterAll(async () => {
  await gw.close()
  msw.close()
})
afterEach(() => meta.assertValid())

const HOUR = 3600_000
const post = (items: ReadonlyArray<Record<string, unknown>>) => postMeta(gw.url, "messenger", webhook("page", items))
const text = (psid: string, body: string, options: { at?: number; id?: string } = {}) =>
  fromResident(psid, { message: { mid: options.id ?? mid(), text: body } }, options.at === undefined ? {} : { at: options.at })

async function conversationOf(psid: string) {
  return eventually(async () => (await allConversations(gw.url)).find((c) => c.channel === "messenger" && c.contact.handle === psid), (c) => c !== undefined)
}
const send = (conversationId: string, body: unknown) =>
  fetch(`${gw.url}/api/v1/conversations/${conversationId}/messages`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) })
const messageById = async (conversationId: string, id: string) => (await allMessages(gw.url, conversationId)).find((m) => m.id === id)

describe("Messenger webhook", () => {
  it("answers Meta's subscription handshake with the challenge only for MESSENGER_VERIFY_TOKEN", async () => {
    const ok = await fetch(`${gw.url}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=${MESSENGER_VERIFY}&hub.challenge=1158201444`)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe("1158201444")
    const wrong = await fetch(`${gw.url}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`)
    expect(wrong.status).toBe(403)
    expect((await wrong.json()).error.code).toBe("verification_failed")
  })

  it("answers 401 for a missing, malformed or wrong X-Hub-Signature-256 (WhatsApp's secret is not META_APP_SECRET) and stores nothing", async () => {
    const psid = newResidentId()
    const body = webhook("page", [text(psid, "Hallo")])
    const missing = await postMeta(gw.url, "messenger", body, { signature: null })
    expect(missing.status).toBe(401)
    expect((await missing.json()).error.code).toBe("signature_missing")
    const malformed = await postMeta(gw.url, "messenger", body, { signature: "sha1=abc" })
    expect((await malformed.json()).error.code).toBe("signature_malformed")
    const wrong = await postMeta(gw.url, "messenger", body, { secret: APP_SECRET })
    expect(wrong.status).toBe(401)
    expect((await wrong.json()).error.code).toBe("signature_invalid")
    expect((await allConversations(gw.url)).some((c) => c.contact.handle === psid)).toBe(false)
  })

  it("lists /webhooks/messenger and /webhooks/instagram, handshake included, in the OpenAPI document", async () => {
    const document = await (await fetch(`${gw.url}/api/v1/openapi.json`)).json()
    expect(Object.keys(document.paths["/webhooks/messenger"])).toEqual(["get", "post"])
    expect(Object.keys(document.paths["/webhooks/instagram"])).toEqual(["get", "post"])
  })

  it("answers 503 channel_not_configured naming META_APP_SECRET while it is not set", async () => {
    const bare = await startGateway(baseEnv())
    try {
      const res = await postMeta(bare.url, "messenger", webhook("page", [text(newResidentId(), "a")]))
      expect(res.status).toBe(503)
      expect((await res.json()).error).toMatchObject({ code: "channel_not_configured", message: expect.stringContaining("META_APP_SECRET") })
    } finally {
      await bare.close()
    }
  })
})

describe("Messenger inbound", () => {
  it("turns a resident's message into a conversation on the page with a 24-hour window, one contact per PSID, redeliveries absorbed", async () => {
    const psid = newResidentId()
    const at = Date.now() - 60_000
    const item = text(psid, "Mijn paspoort is verlopen", { at })
    const res = await post([item])
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: "accepted", accepted: 1, duplicates: 0 })
    const conversation = await conversationOf(psid)
    expect(conversation).toMatchObject({
      channel: "messenger", channelAccountId: PAGE_ID, status: "open",
      windowExpiresAt: new Date(at + 24 * HOUR).toISOString(), contact: { handle: psid, name: null }
    })
    const again = await post([item])
    expect(await again.json()).toMatchObject({ status: "accepted", accepted: 0, duplicates: 1 })
    const [message] = await allMessages(gw.url, conversation.id)
    expect(message).toMatchObject({ direction: "inbound", type: "text", text: "Mijn paspoort is verlopen", providerMessageId: (item as unknown as { message: { mid: string } }).message.mid })
  })

  it("maps attachments (one message each), quick replies, replies, reactions and postbacks", async () => {
    const psid = newResidentId()
    const first = mid()
    await post([
      fromResident(psid, { message: { mid: first, attachments: [
        { type: "image", payload: { url: "https://scontent.xx.fbcdn.net/v/foto.jpg" } },
        { type: "file", payload: { url: "https://cdn.fbsbx.com/v/aanvraag.pdf" } }
      ] } })
    ])
    await post([
      fromResident(psid, { message: { mid: mid(), text: "Ja", quick_reply: { payload: "AFSPRAAK_JA" } } }),
      fromResident(psid, { message: { mid: mid(), text: "Zie foto", reply_to: { mid: first } } }),
      fromResident(psid, { reaction: { mid: first, action: "react", reaction: "love", emoji: "❤️" } }),
      fromResident(psid, { postback: { mid: mid(), title: "Afspraak maken", payload: "START_AFSPRAAK" } }),
      fromResident(psid, { message: { mid: mid(), attachments: [{ type: "fallback", payload: { url: "https://www.gemeente.nl/nieuws" } }] } })
    ])
    const conversation = await conversationOf(psid)
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length === 7)
    expect(messages.map((m) => m.type)).toEqual(["image", "document", "button", "text", "reaction", "button", "unsupported"])
    expect(messages[0]).toMatchObject({ providerMessageId: first, media: { link: "https://scontent.xx.fbcdn.net/v/foto.jpg" } })
    expect(messages[1].media).toMatchObject({ link: "https://cdn.fbsbx.com/v/aanvraag.pdf" })
    expect(messages[2]).toMatchObject({ text: "Ja", reply: { id: "AFSPRAAK_JA", title: "Ja" } })
    expect(messages[3]).toMatchObject({ text: "Zie foto", replyTo: first })
    expect(messages[4].reaction).toEqual({ emoji: "❤️", messageId: first })
    expect(messages[5]).toMatchObject({ text: "Afspraak maken", reply: { id: "START_AFSPRAAK", title: "Afspraak maken" } })
    expect(messages[6]).toMatchObject({ text: "[fallback]", media: { link: "https://www.gemeente.nl/nieuws" } })
  })

  it("ignores other objects and fields with 200", async () => {
    const other = await postMeta(gw.url, "messenger", { object: "instagram", entry: [] })
    expect(await other.json()).toMatchObject({ status: "ignored", reason: expect.stringContaining("not page") })
    const optin = await post([{ sender: { id: newResidentId() }, recipient: { id: PAGE_ID }, timestamp: Date.now(), optin: { ref: "x" } }])
    expect(await optin.json()).toMatchObject({ status: "ignored", reason: expect.stringContaining("optin") })
  })
})

describe("Messenger replies and statuses", () => {
  it("sends an agent's reply with messaging_type RESPONSE and Loket's metadata, then moves it to delivered and read by the watermarks, only forward", async () => {
    const psid = newResidentId()
    await post([text(psid, "Wanneer is het stadhuis open?")])
    const conversation = await conversationOf(psid)
    const queued = await (await send(conversation.id, { text: "Van 9 tot 17 uur." })).json()
    expect(queued).toMatchObject({ status: "queued", type: "text" })
    const sent = await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "sent")
    const [call] = meta.sentTo(psid)
    expect(call!.body).toEqual({ recipient: { id: psid }, messaging_type: "RESPONSE", message: { text: "Van 9 tot 17 uur.", metadata: `loket:${queued.id}` } })
    expect(sent.providerMessageId).toMatch(/^m_/)

    // Loket's own send comes back as an echo (with its metadata): not a second message.
    const echo = echoTo(psid, { mid: sent.providerMessageId, app_id: 1234567890, text: "Van 9 tot 17 uur.", metadata: `loket:${queued.id}` })
    expect((await post([echo])).status).toBe(200)

    const later = Date.now() + 1000
    await post([fromResident(psid, { delivery: { mids: [sent.providerMessageId], watermark: later } }, { at: later })])
    await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "delivered")
    await post([fromResident(psid, { read: { watermark: later + 1000 } }, { at: later + 1000 })])
    await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "read")
    // A late delivery watermark never moves it back.
    await post([fromResident(psid, { delivery: { watermark: later + 2000 } }, { at: later + 2000 })])
    const second = await (await send(conversation.id, { text: "Tot ziens" })).json()
    await eventually(() => messageById(conversation.id, second.id), (m) => m?.status === "sent")
    const messages = await allMessages(gw.url, conversation.id)
    expect(messages.filter((m) => m.direction === "outbound")).toHaveLength(2)
    expect(messages.find((m) => m.id === queued.id).status).toBe("read")
  })

  it("recognises the echo of Loket's own send by its metadata when it comes before the Send API's answer", async () => {
    const psid = newResidentId()
    await post([text(psid, "Hallo")])
    const conversation = await conversationOf(psid)
    const held = meta.holdNext()
    const providerId = mid()
    meta.script({ status: 200, body: { recipient_id: psid, message_id: providerId } })
    const queued = await (await send(conversation.id, { text: "Een moment" })).json()
    await eventually(async () => meta.sentTo(psid).length, (n) => n === 1)
    // Meta delivers the echo while Loket still waits for the Send API's answer.
    expect((await post([echoTo(psid, { mid: providerId, app_id: 1234567890, text: "Een moment", metadata: `loket:${queued.id}` })])).status).toBe(200)
    await eventually(() => messageById(conversation.id, queued.id), (m) => m?.providerMessageId === providerId)
    held.release()
    await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "sent")
    const messages = await allMessages(gw.url, conversation.id)
    expect(messages.map((m) => m.direction)).toEqual(["inbound", "outbound"])
  })

  it("records a message the page sent from Meta Business Suite as outbound, once, and never sends it", async () => {
    const psid = newResidentId()
    await post([text(psid, "Hallo")])
    const conversation = await conversationOf(psid)
    const before = meta.calls.length
    const echo = echoTo(psid, { mid: mid(), app_id: 263902037430900, text: "Dit beantwoorden we via de telefoon." })
    await post([echo])
    await post([echo]) // Meta redelivers
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length === 2)
    expect(messages[1]).toMatchObject({ direction: "outbound", status: "sent", text: "Dit beantwoorden we via de telefoon.", author: "Meta Business Suite", flags: ["echo"] })
    const other = echoTo(psid, { mid: mid(), app_id: 555000111, text: "Via een ander systeem" })
    await post([other])
    const all = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length === 3)
    expect(all[2]).toMatchObject({ author: "Meta app 555000111" })
    expect(meta.calls.length).toBe(before)
  })

  it("sends reply buttons as quick replies and media by link, and refuses what Messenger cannot take with 422 naming the field", async () => {
    const psid = newResidentId()
    await post([text(psid, "Ik wil een afspraak")])
    const conversation = await conversationOf(psid)
    const buttons = await send(conversation.id, { interactive: { type: "button", body: "Wanneer?", buttons: [{ id: "ochtend", title: "Ochtend" }, { id: "middag", title: "Middag" }] } })
    expect(buttons.status).toBe(202)
    const photo = await send(conversation.id, { media: { type: "image", link: "https://www.gemeente.nl/plattegrond.png" } })
    expect(photo.status).toBe(202)
    await eventually(async () => meta.sentTo(psid).length, (n) => n === 2)
    const [q, p] = meta.sentTo(psid)
    expect(q!.body.message).toMatchObject({ text: "Wanneer?", quick_replies: [{ content_type: "text", title: "Ochtend", payload: "ochtend" }, { content_type: "text", title: "Middag", payload: "middag" }] })
    expect(p!.body.message).toMatchObject({ attachment: { type: "image", payload: { url: "https://www.gemeente.nl/plattegrond.png", is_reusable: false } } })

    const long = await send(conversation.id, { text: "a".repeat(2001) })
    expect(long.status).toBe(422)
    expect((await long.json()).error).toMatchObject({ code: "invalid_message", details: [{ path: "text", message: expect.stringContaining("2000") }] })
    const title = await send(conversation.id, { interactive: { type: "button", body: "Kies", buttons: [{ id: "a", title: "Een veel te lange titel hier" }] } })
    expect((await title.json()).error.details).toEqual([{ path: "interactive.buttons[0].title", message: expect.stringContaining("20") }])
    const template = await send(conversation.id, { template: { name: "x", language: "nl" } })
    expect((await template.json()).error.code).toBe("not_supported_by_channel")
    const caption = await send(conversation.id, { media: { type: "image", link: "https://www.gemeente.nl/a.png", caption: "x" } })
    expect((await caption.json()).error.details).toEqual([{ path: "media.caption", message: expect.stringContaining("separate text message") }])
    expect(meta.sentTo(psid)).toHaveLength(2)
  })

  it("uploads a file through the Attachment Upload API and sends it by attachment_id", async () => {
    const psid = newResidentId()
    await post([text(psid, "Stuur het formulier")])
    const conversation = await conversationOf(psid)
    const form = new FormData()
    form.set("channel", "messenger")
    form.set("file", new Blob([new TextEncoder().encode("%PDF-1.4 aanvraagformulier")], { type: "application/pdf" }), "aanvraag.pdf")
    const uploaded = await fetch(`${gw.url}/api/v1/media`, { method: "POST", headers: auth, body: form })
    expect(uploaded.status).toBe(201)
    const { id } = await uploaded.json()
    expect(meta.uploads.at(-1)).toMatchObject({ id, type: "file", mimeType: "application/pdf" })
    const sent = await send(conversation.id, { media: { type: "document", id } })
    expect(sent.status).toBe(202)
    await eventually(async () => meta.sentTo(psid).length, (n) => n === 1)
    expect(meta.sentTo(psid)[0]!.body.message).toMatchObject({ attachment: { type: "file", payload: { attachment_id: id } } })

    const wrongType = new FormData()
    wrongType.set("channel", "messenger")
    wrongType.set("file", new Blob([new Uint8Array([1, 2, 3])], { type: "application/x-msdownload" }), "virus.exe")
    const refused = await fetch(`${gw.url}/api/v1/media`, { method: "POST", headers: auth, body: wrongType })
    expect(refused.status).toBe(422)
    expect((await refused.json()).error.code).toBe("invalid_media")
  })

  it("retries Meta's temporary errors and fails for good on a person who is unavailable (551)", async () => {
    const psid = newResidentId()
    await post([text(psid, "Hallo")])
    const conversation = await conversationOf(psid)
    meta.script(graphError(500, 2, "Service temporarily unavailable"))
    const first = await (await send(conversation.id, { text: "Even geduld" })).json()
    await eventually(() => messageById(conversation.id, first.id), (m) => m?.status === "sent", 20_000)
    expect(meta.sentTo(psid)).toHaveLength(2)
    meta.script(graphError(400, 551, "This person isn't available right now."))
    const second = await (await send(conversation.id, { text: "Nog iets" })).json()
    const failed = await eventually(() => messageById(conversation.id, second.id), (m) => m?.status === "failed")
    expect(failed.error).toMatchObject({ code: 551, title: expect.stringContaining("not available") })
    expect(meta.sentTo(psid)).toHaveLength(3)
  })
})

describe("Messenger's window: 24 hours, then HUMAN_AGENT up to 7 days for people only", () => {
  const auto = (conversationId: string) =>
    gw.runtime.runPromise(Conversations.use((c) =>
      Effect.result(c.send(conversationId, { content: { type: "text", text: "Wij zijn gesloten.", previewUrl: false }, replyTo: null, idempotencyKey: null, author: "loket", flags: ["auto"] }))
    ))

  it("tags an agent's reply HUMAN_AGENT after 24 hours, and refuses an auto-reply then", async () => {
    const psid = newResidentId()
    await post([text(psid, "Ik heb een vraag", { at: Date.now() - 30 * HOUR })])
    const conversation = await conversationOf(psid)
    const reply = await send(conversation.id, { text: "Sorry voor het late antwoord." })
    expect(reply.status).toBe(202)
    const queued = await reply.json()
    await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "sent")
    expect(meta.sentTo(psid)[0]!.body).toMatchObject({ messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT", message: { text: "Sorry voor het late antwoord." } })

    const refused = await auto(conversation.id)
    expect(refused._tag).toBe("Failure")
    expect(refused._tag === "Failure" && refused.failure).toMatchObject({ code: "window_closed", status: 422, message: expect.stringContaining("HUMAN_AGENT") })
    expect(meta.sentTo(psid)).toHaveLength(1)
  })

  it("sends an auto-reply inside the 24 hours without a tag", async () => {
    const psid = newResidentId()
    await post([text(psid, "Zijn jullie open?")])
    const conversation = await conversationOf(psid)
    const accepted = await auto(conversation.id)
    expect(accepted._tag).toBe("Success")
    await eventually(async () => meta.sentTo(psid).length, (n) => n === 1)
    expect(meta.sentTo(psid)[0]!.body).toMatchObject({ messaging_type: "RESPONSE" })
    expect(meta.sentTo(psid)[0]!.body.tag).toBeUndefined()
  })

  it("answers 422 window_closed naming the 168 hours after 7 days", async () => {
    const psid = newResidentId()
    await post([text(psid, "Oude vraag", { at: Date.now() - 8 * 24 * HOUR })])
    const conversation = await conversationOf(psid)
    const res = await send(conversation.id, { text: "Te laat" })
    expect(res.status).toBe(422)
    expect((await res.json()).error).toMatchObject({ code: "window_closed", message: expect.stringContaining("168 hours") })
    expect(meta.sentTo(psid)).toHaveLength(0)
  })
})
