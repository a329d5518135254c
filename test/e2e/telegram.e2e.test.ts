/**
 * Telegram end to end, over real HTTP on loopback: a resident's update → conversation → an
 * agent's reply → the Bot API request (msw, checked against the documented format) → `sent`.
 */
import { request } from "node:http"
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { botError, telegramBotMock } from "../msw/telegram.ts"
import { auth, baseEnv, eventually, startGateway, type TestGateway } from "../support/gateway.ts"
import { BOT_ID, BOT_TOKEN, messageUpdate, postUpdate, TELEGRAM_API, telegramEnv } from "../support/telegram.ts"
import { allConversations, allMessages, api } from "../support/whatsapp.ts"

const bot = telegramBotMock({ apiUrl: TELEGRAM_API, token: BOT_TOKEN, files: { "AgACAgQAAxkBAAIBRWb_foto": { bytes: new TextEncoder().encode("JPEGDATA"), path: "photos/file_7.jpg" } } })
const msw = setupServer(...bot.handlers)
let gw: TestGateway

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "bypass" })
  gw = await startGateway(baseEnv(telegramEnv()))
})
afterAll(async () => {
  await gw.close()
  msw.close()
})
afterEach(() => bot.assertValid())

let chats = 880_000_000
const newResident = (extra: { firstName?: string; lastName?: string; username?: string } = {}) => ({ chatId: ++chats, ...extra })

async function conversationOf(chatId: number) {
  return eventually(async () => (await allConversations(gw.url)).find((c) => c.channel === "telegram" && c.contact.handle === String(chatId)), (c) => c !== undefined)
}

const send = (conversationId: string, body: unknown) =>
  fetch(`${gw.url}/api/v1/conversations/${conversationId}/messages`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) })

/** An oversized body is refused before it is read, and the server then closes that connection: never reuse it. */
function postOnOwnConnection(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false
    const req = request(url, { method: "POST", agent: false, headers: { ...auth, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      answered = true
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (chunk) => (text += chunk))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    // The server may close while the rest of the body is still on its way (EPIPE): the answer counts.
    req.on("error", (error) => void (answered ? undefined : reject(error)))
    req.end(body)
  })
}

const messageById = async (conversationId: string, id: string) => (await allMessages(gw.url, conversationId)).find((m) => m.id === id)

describe("Telegram inbound", () => {
  it("turns a resident's message into a conversation on the bot, one contact per chat, without a window", async () => {
    const resident = newResident({ firstName: "Sanne", lastName: "de Vries" })
    const update = messageUpdate(resident, { text: "Mijn container is niet geleegd" })
    const res = await postUpdate(gw.url, update)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: "accepted", accepted: 1, duplicates: 0 })

    const conversation = await conversationOf(resident.chatId)
    expect(conversation).toMatchObject({
      channel: "telegram", channelAccountId: BOT_ID, status: "open", windowExpiresAt: null,
      contact: { handle: String(resident.chatId), name: "Sanne de Vries" }
    })
    const [message] = await allMessages(gw.url, conversation.id)
    expect(message).toMatchObject({ direction: "inbound", type: "text", text: "Mijn container is niet geleegd", status: "received", providerMessageId: String(update.message.message_id) })

    // Telegram redelivers an update until it gets a 2xx: the same update_id changes nothing.
    const again = await postUpdate(gw.url, update)
    expect(await again.json()).toMatchObject({ status: "accepted", accepted: 0, duplicates: 1 })
    const second = await postUpdate(gw.url, messageUpdate(resident, { text: "Nog een vraag" }))
    expect(second.status).toBe(200)
    await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length === 2)
    expect((await allConversations(gw.url)).filter((c) => c.contact.handle === String(resident.chatId))).toHaveLength(1)
  })

  it("maps photos, documents, locations, venues, contacts and replies to the contract's Message", async () => {
    const resident = newResident({ username: "inwoner_42", firstName: "" })
    const first = messageUpdate(resident, {
      photo: [
        { file_id: "small", file_unique_id: "s", width: 90, height: 60, file_size: 1000 },
        { file_id: "AgACAgQAAxkBAAIBRWb_foto", file_unique_id: "l", width: 1280, height: 853, file_size: 90000 }
      ],
      caption: "Losliggende stoeptegel"
    })
    await postUpdate(gw.url, first)
    const updates = [
      messageUpdate(resident, { document: { file_id: "BQACAgQ_doc", file_unique_id: "d", file_name: "aanvraag.pdf", mime_type: "application/pdf", file_size: 5000 } }),
      messageUpdate(resident, { location: { latitude: 52.0907, longitude: 5.1214 } }),
      messageUpdate(resident, { venue: { location: { latitude: 52.37, longitude: 4.89 }, title: "Stadhuis", address: "Amstel 1" } }),
      messageUpdate(resident, { contact: { phone_number: "+31612345678", first_name: "Piet", last_name: "Jansen" } }),
      messageUpdate(resident, { text: "Zie foto", reply_to_message: { message_id: first.message.message_id, date: first.message.date, chat: first.message.chat } })
    ]
    for (const update of updates) expect((await postUpdate(gw.url, update)).status).toBe(200)

    const conversation = await conversationOf(resident.chatId)
    expect(conversation.contact.name).toBe("@inwoner_42")
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length === 6)
    expect(messages.map((m) => m.type)).toEqual(["image", "document", "location", "location", "contacts", "text"])
    expect(messages[0]).toMatchObject({ text: "Losliggende stoeptegel", media: { id: "AgACAgQAAxkBAAIBRWb_foto", mimeType: "image/jpeg" } })
    expect(messages[1]).toMatchObject({ media: { id: "BQACAgQ_doc", mimeType: "application/pdf", filename: "aanvraag.pdf" } })
    expect(messages[2].location).toEqual({ latitude: 52.0907, longitude: 5.1214, name: null, address: null })
    expect(messages[3].location).toEqual({ latitude: 52.37, longitude: 4.89, name: "Stadhuis", address: "Amstel 1" })
    expect(messages[4].contacts).toEqual([{ name: "Piet Jansen", phones: ["+31612345678"], emails: [] }])
    expect(messages[5]).toMatchObject({ text: "Zie foto", replyTo: String(first.message.message_id) })
  })

  it("answers 200 and ignores updates that are not a resident's message (edits, group chats)", async () => {
    const resident = newResident()
    const edit = { update_id: 777_001, edited_message: messageUpdate(resident, { text: "x" }).message }
    expect(await (await postUpdate(gw.url, edit)).json()).toMatchObject({ status: "ignored", reason: expect.stringContaining("edited_message") })
    const group = messageUpdate(resident, { text: "hallo groep" })
    ;(group.message.chat as { type: string }).type = "group"
    expect(await (await postUpdate(gw.url, group)).json()).toMatchObject({ status: "ignored" })
    expect((await allConversations(gw.url)).some((c) => c.contact.handle === String(resident.chatId))).toBe(false)
  })
})

describe("Telegram webhook security", () => {
  it("answers 401 without the secret token header, and with a wrong one, and stores nothing", async () => {
    const resident = newResident()
    const missing = await postUpdate(gw.url, messageUpdate(resident, { text: "a" }), { secret: null })
    expect(missing.status).toBe(401)
    expect((await missing.json()).error.code).toBe("signature_missing")
    const wrong = await postUpdate(gw.url, messageUpdate(resident, { text: "a" }), { secret: "test-telegram-secret_43" })
    expect(wrong.status).toBe(401)
    expect((await wrong.json()).error.code).toBe("signature_invalid")
    const malformed = await postUpdate(gw.url, messageUpdate(resident, { text: "a" }), { secret: "geen geheim!" })
    expect(malformed.status).toBe(401)
    expect((await allConversations(gw.url)).some((c) => c.contact.handle === String(resident.chatId))).toBe(false)
  })

  it("answers 400 for a body that is not JSON, 413 above 1 MiB, and has no GET handshake", async () => {
    const bad = await postUpdate(gw.url, "{not json")
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.code).toBe("invalid_json")
    const big = await postUpdate(gw.url, JSON.stringify({ update_id: 1, pad: "x".repeat(1024 * 1024) }))
    expect(big.status).toBe(413)
    expect((await big.json()).error).toMatchObject({ code: "payload_too_large", message: expect.stringContaining("1 MiB") })
    expect((await fetch(`${gw.url}/webhooks/telegram`)).status).toBe(404)
  })

  it("answers 503 channel_not_configured while TELEGRAM_WEBHOOK_SECRET is not set", async () => {
    const bare = await startGateway(baseEnv())
    try {
      const res = await postUpdate(bare.url, messageUpdate(newResident(), { text: "a" }))
      expect(res.status).toBe(503)
      expect((await res.json()).error).toMatchObject({ code: "channel_not_configured", message: expect.stringContaining("TELEGRAM_WEBHOOK_SECRET") })
    } finally {
      await bare.close()
    }
  })
})

describe("Telegram replies", () => {
  it("sends an agent's reply with sendMessage, quoting through reply_parameters, and marks it sent when the Bot API answers ok", async () => {
    const resident = newResident()
    // Days ago: Telegram has no messaging window, so free text is still allowed.
    const update = messageUpdate(resident, { text: "Wanneer komt de vuilniswagen?" }, { date: Math.floor(Date.now() / 1000) - 3 * 24 * 3600 })
    await postUpdate(gw.url, update)
    const conversation = await conversationOf(resident.chatId)
    const [inbound] = await allMessages(gw.url, conversation.id)
    const res = await send(conversation.id, { text: "Morgen tussen 7 en 12 uur.", replyTo: inbound.id })
    expect(res.status).toBe(202)
    const queued = await res.json()
    expect(queued).toMatchObject({ status: "queued", type: "text", replyTo: String(update.message.message_id) })
    const sent = await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "sent")
    const [call] = bot.sent(resident.chatId)
    expect(call).toMatchObject({
      method: "sendMessage",
      body: { chat_id: resident.chatId, text: "Morgen tussen 7 en 12 uur.", reply_parameters: { message_id: update.message.message_id }, link_preview_options: { is_disabled: true } }
    })
    expect(sent.providerMessageId).toMatch(/^\d+$/)
  })

  it("sends a photo with sendPhoto and a document with sendDocument", async () => {
    const resident = newResident()
    await postUpdate(gw.url, messageUpdate(resident, { text: "Stuur de folder" }))
    const conversation = await conversationOf(resident.chatId)
    const photo = await send(conversation.id, { media: { type: "image", link: "https://www.gemeente.nl/kaart.jpg", caption: "De kaart" } })
    expect(photo.status).toBe(202)
    const doc = await send(conversation.id, { media: { type: "document", id: "BQACAgQ_doc" } })
    expect(doc.status).toBe(202)
    await eventually(async () => bot.sent(resident.chatId).length, (n) => n === 2)
    const calls = bot.sent(resident.chatId)
    expect(calls[0]).toMatchObject({ method: "sendPhoto", body: { chat_id: resident.chatId, photo: "https://www.gemeente.nl/kaart.jpg", caption: "De kaart" } })
    expect(calls[1]).toMatchObject({ method: "sendDocument", body: { chat_id: resident.chatId, document: "BQACAgQ_doc" } })
    expect(calls[1]!.body.caption).toBeUndefined()
  })

  it("answers 422 not_supported_by_channel for what Telegram cannot send, and 422 invalid_message over its limits", async () => {
    const resident = newResident()
    await postUpdate(gw.url, messageUpdate(resident, { text: "Hallo" }))
    const conversation = await conversationOf(resident.chatId)
    const buttons = await send(conversation.id, { interactive: { type: "button", body: "Kies", buttons: [{ id: "a", title: "Ja" }] } })
    expect(buttons.status).toBe(422)
    const error = (await buttons.json()).error
    expect(error).toMatchObject({ code: "not_supported_by_channel", message: expect.stringContaining("Telegram cannot send interactive") })
    expect(error.message).toContain("text, image, document")
    const template = await send(conversation.id, { template: { name: "gemeente_follow_up", language: "nl" } })
    expect((await template.json()).error.code).toBe("not_supported_by_channel")
    const voice = await send(conversation.id, { media: { type: "audio", link: "https://www.gemeente.nl/a.ogg" } })
    expect((await voice.json()).error).toMatchObject({ code: "not_supported_by_channel", details: [{ path: "media.type" }] })

    const long = await send(conversation.id, { text: "a".repeat(4097) })
    expect(long.status).toBe(422)
    expect((await long.json()).error).toMatchObject({ code: "invalid_message", details: [{ path: "text", message: expect.stringContaining("4096") }] })
    const named = await send(conversation.id, { media: { type: "document", link: "http://insecure.example/a.pdf", filename: "a.pdf" } })
    expect((await named.json()).error.details.map((d: { path: string }) => d.path)).toEqual(["media.link", "media.filename"])
    const huge = await postOnOwnConnection(`${gw.url}/api/v1/conversations/${conversation.id}/messages`, JSON.stringify({ text: "a".repeat(100 * 1024) }))
    expect(huge.status).toBe(413)
    expect(JSON.parse(huge.body).error).toMatchObject({ code: "payload_too_large", message: expect.stringContaining("64 KiB") })
    const read = await fetch(`${gw.url}/api/v1/conversations/${conversation.id}/read`, { method: "POST", headers: auth })
    expect(read.status).toBe(422)
    expect((await read.json()).error.code).toBe("not_supported_by_channel")
    expect(bot.sent(resident.chatId)).toHaveLength(0)
  })

  it("waits retry_after on 429 and sends once, and fails for good with Telegram's code when the resident blocked the bot", async () => {
    const resident = newResident()
    await postUpdate(gw.url, messageUpdate(resident, { text: "Hallo" }))
    const conversation = await conversationOf(resident.chatId)
    bot.script(botError(429, "Too Many Requests: retry after 1", { retry_after: 1 }))
    const first = await (await send(conversation.id, { text: "Even geduld" })).json()
    const sent = await eventually(() => messageById(conversation.id, first.id), (m) => m?.status === "sent", 15_000)
    expect(sent.status).toBe("sent")
    const calls = bot.sent(resident.chatId)
    expect(calls).toHaveLength(2)
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900)

    bot.script(botError(403, "Forbidden: bot was blocked by the user"))
    const second = await (await send(conversation.id, { text: "Nog iets" })).json()
    const failed = await eventually(() => messageById(conversation.id, second.id), (m) => m?.status === "failed")
    expect(failed.error).toEqual({ code: 403, title: "Forbidden: bot was blocked by the user" })
    expect(bot.sent(resident.chatId)).toHaveLength(3)
  })

  it("fails on a revoked bot token and raises an alert naming TELEGRAM_BOT_TOKEN, never the token", async () => {
    const resident = newResident()
    await postUpdate(gw.url, messageUpdate(resident, { text: "Hallo" }))
    const conversation = await conversationOf(resident.chatId)
    const controller = new AbortController()
    const stream = await fetch(`${gw.url}/api/v1/events`, { headers: auth, signal: controller.signal })
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader()
    bot.script(botError(401, "Unauthorized"))
    const message = await (await send(conversation.id, { text: "Token?" })).json()
    let text = ""
    const deadline = Date.now() + 10_000
    while (!text.includes("event: channel.alert") && Date.now() < deadline) text += (await reader.read()).value ?? ""
    controller.abort()
    expect(text).toContain("event: channel.alert")
    expect(text).toContain("renew TELEGRAM_BOT_TOKEN")
    expect(text).not.toContain(BOT_TOKEN)
    const failed = await eventually(() => messageById(conversation.id, message.id), (m) => m?.status === "failed")
    expect(failed.error).toEqual({ code: 401, title: "Unauthorized" })
  })

  it("lists /webhooks/telegram in the OpenAPI document", async () => {
    const document = await (await fetch(`${gw.url}/api/v1/openapi.json`)).json()
    expect(Object.keys(document.paths["/webhooks/telegram"])).toEqual(["post"])
    expect(Object.keys(document.paths["/webhooks/whatsapp"])).toEqual(["get", "post"])
  })
})


describe("Telegram media for agents", () => {
  it("streams a resident's photo through getFile and the file URL, with safe headers", async () => {
    const resident = newResident()
    await postUpdate(gw.url, messageUpdate(resident, { photo: [{ file_id: "AgACAgQAAxkBAAIBRWb_foto", file_unique_id: "u", width: 800, height: 600 }] }))
    const conversation = await conversationOf(resident.chatId)
    const [message] = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length === 1)
    const res = await fetch(`${gw.url}/api/v1/media/${message.media.id}`, { headers: auth })
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("image/jpeg")
    expect(res.headers.get("x-content-type-options")).toBe("nosniff")
    expect(res.headers.get("content-length")).toBe("8")
    expect(await res.text()).toBe("JPEGDATA")
    expect(bot.calls.filter((c) => c.method === "getFile").at(-1)!.body).toEqual({ file_id: "AgACAgQAAxkBAAIBRWb_foto" })

    const unknown = await fetch(`${gw.url}/api/v1/media/BQACAgQ_unknown_file_id`, { headers: auth })
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).error.code).toBe("media_not_found")
    expect((await fetch(`${gw.url}/api/v1/media/AgACAgQAAxkBAAIBRWb_foto`)).status).toBe(401)
  })
})
