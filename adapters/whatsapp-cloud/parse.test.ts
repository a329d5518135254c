import { describe, expect, it } from "vitest"
import type { InboundMessageEvent, StatusEvent } from "../../domain/InboundEvent.ts"
import * as f from "./fixtures.ts"
import { parseWebhook } from "./parse.ts"

const FROM = "31612345678"
const BSUID = "NL.13491208655302741918"

function onlyMessage(message: f.Json, contacts: ReadonlyArray<f.Json> = [f.contact({ waId: FROM, name: "Sanne" })]): InboundMessageEvent {
  const parsed = parseWebhook(f.webhookBody({ contacts, messages: [message] }))
  expect(parsed.rejected).toEqual([])
  expect(parsed.events).toHaveLength(1)
  const event = parsed.events[0]!
  if (event.kind !== "message") throw new Error(`expected a message, got ${event.kind}`)
  return event
}

const nulls = {
  text: null, media: null, location: null, reaction: null, reply: null, replyTo: null, error: null,
  forwarded: null, contacts: null, referral: null, flow: null, order: null, system: null
}

describe("parseWebhook: messages", () => {
  it("maps a text message with every field present", () => {
    const event = onlyMessage(f.textMessage({ id: "wamid.A", from: FROM, body: "Wanneer is het gemeentehuis open?", timestamp: "1749416383" }))
    expect(event).toEqual({
      kind: "message",
      key: "whatsapp:msg:wamid.A",
      channel: "whatsapp",
      channelAccountId: f.DEFAULT_PHONE_NUMBER_ID,
      resident: { waId: FROM, userId: null, name: "Sanne" },
      message: {
        ...nulls,
        type: "text",
        providerMessageId: "wamid.A",
        createdAt: "2025-06-08T20:59:43.000Z",
        text: "Wanneer is het gemeentehuis open?"
      }
    })
  })

  it("maps image, video and audio with caption and sha256", () => {
    const image = onlyMessage(f.imageMessage({ mediaId: "m1", caption: "Kapotte lantaarnpaal", sha256: "abc=" }))
    expect(image.message).toMatchObject({
      type: "image", text: "Kapotte lantaarnpaal", media: { id: "m1", mimeType: "image/jpeg", sha256: "abc=", filename: null }
    })
    expect(image.message.media).not.toHaveProperty("animated")
    expect(onlyMessage(f.videoMessage({ mediaId: "m2" })).message).toMatchObject({ type: "video", text: null, media: { id: "m2", mimeType: "video/mp4" } })
    expect(onlyMessage(f.audioMessage({ mediaId: "m3" })).message).toMatchObject({ type: "audio", media: { id: "m3", mimeType: "audio/ogg; codecs=opus" } })
  })

  it("maps a document with filename and a sticker with animated", () => {
    expect(onlyMessage(f.documentMessage({ mediaId: "d1", filename: "paspoort.pdf" })).message.media)
      .toEqual({ id: "d1", mimeType: "application/pdf", sha256: "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", filename: "paspoort.pdf" })
    expect(onlyMessage(f.stickerMessage({ mediaId: "s1", animated: true })).message.media).toMatchObject({ id: "s1", animated: true, filename: null })
  })

  it("maps a location, numbers or numeric strings", () => {
    const event = onlyMessage(f.locationMessage({ latitude: 52.0907, longitude: 5.1214, name: "Stadskantoor", address: "Stadsplateau 1, Utrecht" }))
    expect(event.message.location).toEqual({ latitude: 52.0907, longitude: 5.1214, name: "Stadskantoor", address: "Stadsplateau 1, Utrecht" })
    const strings = onlyMessage(f.locationMessage({ latitude: "52.0907", longitude: "-5.5" }))
    expect(strings.message.location).toEqual({ latitude: 52.0907, longitude: -5.5, name: null, address: null })
  })

  it("maps shared contact cards", () => {
    const event = onlyMessage(f.contactsMessage({ cards: [{ name: "Jan Jansen", phones: ["+31 6 11111111"], emails: ["jan@example.nl"] }, { name: "Piet" }] }))
    expect(event.message.type).toBe("contacts")
    expect(event.message.contacts).toEqual([
      { name: "Jan Jansen", phones: ["+31 6 11111111"], emails: ["jan@example.nl"] },
      { name: "Piet", phones: [], emails: [] }
    ])
  })

  it("maps interactive button and list replies, with the quoted message as replyTo", () => {
    const button = onlyMessage(f.buttonReplyMessage({ replyId: "afval", title: "Afval", context: { id: "wamid.OUT1" } }))
    expect(button.message).toMatchObject({ type: "interactive", reply: { id: "afval", title: "Afval" }, replyTo: "wamid.OUT1", text: null })
    const list = onlyMessage(f.listReplyMessage({ replyId: "paspoort", title: "Paspoort aanvragen" }))
    expect(list.message).toMatchObject({ type: "interactive", reply: { id: "paspoort", title: "Paspoort aanvragen" }, replyTo: null })
  })

  it("maps a Flows answer (nfm_reply)", () => {
    const event = onlyMessage(f.flowReplyMessage({ responseJson: '{"flow_token":"t","postcode":"3511"}', body: "Sent", name: "flow" }))
    expect(event.message).toMatchObject({
      type: "interactive", reply: null, flow: { name: "flow", body: "Sent", responseJson: '{"flow_token":"t","postcode":"3511"}' }
    })
  })

  it("maps a template quick reply (button)", () => {
    const event = onlyMessage(f.quickReplyMessage({ payload: "STOP_FOLLOW_UP", text: "Nee, bedankt", context: { id: "wamid.TPL" } }))
    expect(event.message).toMatchObject({ type: "button", text: "Nee, bedankt", reply: { id: "STOP_FOLLOW_UP", title: "Nee, bedankt" }, replyTo: "wamid.TPL" })
  })

  it("maps a reaction and its removal (empty or missing emoji)", () => {
    expect(onlyMessage(f.reactionMessage({ messageId: "wamid.T", emoji: "👍" })).message.reaction).toEqual({ emoji: "👍", messageId: "wamid.T" })
    expect(onlyMessage(f.reactionMessage({ messageId: "wamid.T", emoji: "" })).message.reaction).toEqual({ emoji: null, messageId: "wamid.T" })
    expect(onlyMessage(f.reactionMessage({ messageId: "wamid.T" })).message.reaction).toEqual({ emoji: null, messageId: "wamid.T" })
  })

  it("maps an order", () => {
    const event = onlyMessage(f.orderMessage({ catalogId: "194836987003835", items: [{ productRetailerId: "parkeervergunning", quantity: 1, itemPrice: 42.5 }] }))
    expect(event.message.order).toEqual({
      catalogId: "194836987003835", text: "", items: [{ productRetailerId: "parkeervergunning", quantity: 1, itemPrice: 42.5, currency: "EUR" }]
    })
  })

  it("maps system notices: number change, BSUID change, older customer_changed_number", () => {
    const number = onlyMessage(f.systemMessage({ newWaId: "31687654321" }), [])
    expect(number.message).toMatchObject({
      type: "system",
      system: { type: "user_changed_number", newWaId: "31687654321", newUserId: null, body: "User Sanne de Vries changed from 31612345678 to 31687654321" }
    })
    expect(number.resident).toEqual({ waId: FROM, userId: null, name: null })
    const userId = onlyMessage(f.systemMessage({ from: null, userId: BSUID, systemType: "user_changed_user_id", body: "User changed id", newUserId: "NL.99" }), [])
    expect(userId.message.system).toEqual({ type: "user_changed_user_id", body: "User changed id", newWaId: null, newUserId: "NL.99" })
    expect(userId.resident).toEqual({ waId: null, userId: BSUID, name: null })
    const legacy = { ...f.textMessage({ body: "x" }), type: "system", system: { type: "customer_changed_number", body: "b", new_wa_id: "316999", new_user_id: "NL.1" } }
    expect(onlyMessage(legacy, []).message.system).toEqual({ type: "customer_changed_number", body: "b", newWaId: "316999", newUserId: "NL.1" })
  })

  it("maps request_welcome to a system notice", () => {
    expect(onlyMessage(f.requestWelcomeMessage({ id: "wamid.W" })).message).toMatchObject({
      type: "system", system: { type: "request_welcome", body: null, newWaId: null, newUserId: null }
    })
  })

  it("maps unsupported and unknown types with their error", () => {
    expect(onlyMessage(f.unsupportedMessage()).message).toMatchObject({ type: "unsupported", error: { code: 131051, title: "Message type unknown" } })
    expect(onlyMessage(f.unsupportedMessage({ type: "hologram", errors: [] })).message).toMatchObject({ type: "unsupported", error: null })
    const weirdInteractive = { ...f.textMessage({ body: "x" }), type: "interactive", interactive: { type: "payment_reply" } }
    expect(onlyMessage(weirdInteractive).message.type).toBe("unsupported")
  })

  it("stores every declared type that comes without its object as unsupported, with the reason and no resident text", () => {
    for (const type of ["text", "image", "audio", "video", "document", "sticker", "location", "contacts", "interactive", "button", "reaction", "order", "system"]) {
      const loose = { ...f.textMessage({ body: "x" }), type, text: undefined }
      const message = onlyMessage(loose).message
      expect(message, type).toMatchObject({ type: "unsupported", text: null, error: { code: "unreadable", title: expect.stringContaining(type) } })
    }
    // Its essential part missing, the caption survives as the text.
    const noId = { ...f.imageMessage({ caption: "Mijn paspoort" }), image: { caption: "Mijn paspoort", mime_type: "image/jpeg" } }
    expect(onlyMessage(noId).message).toMatchObject({ type: "unsupported", text: "Mijn paspoort", error: { code: "unreadable" } })
    // Meta's own error wins over Loket's reason.
    const withErrors = { ...f.textMessage({ body: "x" }), type: "interactive", text: undefined, errors: [{ code: 131051, title: "Message type unknown" }] }
    expect(onlyMessage(withErrors).message.error).toEqual({ code: 131051, title: "Message type unknown" })
  })

  it("maps forwarded flags and referral", () => {
    expect(onlyMessage(f.textMessage({ body: "x", context: { id: "q", forwarded: true } })).message.forwarded).toBe("forwarded")
    expect(onlyMessage(f.textMessage({ body: "x", context: { id: "q", frequently_forwarded: true } })).message.forwarded).toBe("frequently_forwarded")
    const referral = { source_url: "https://fb.me/x", source_id: "1202", source_type: "ad", body: "Vraag het de gemeente", headline: "Chat met ons", media_type: "image", ctwa_clid: "Aff-n8Z" }
    expect(onlyMessage(f.textMessage({ body: "Hallo", referral })).message.referral).toEqual({
      sourceUrl: "https://fb.me/x", sourceType: "ad", sourceId: "1202", headline: "Chat met ons", body: "Vraag het de gemeente", ctwaClid: "Aff-n8Z"
    })
  })
})

describe("parseWebhook: residents", () => {
  it("resolves a BSUID-only resident (no from) through contacts", () => {
    const event = onlyMessage(f.textMessage({ from: null, userId: BSUID, body: "Hoi" }), [f.contact({ userId: BSUID, name: "@sanne" })])
    expect(event.resident).toEqual({ waId: null, userId: BSUID, name: "@sanne" })
  })

  it("adds the BSUID from contacts to a message that has only from, and vice versa", () => {
    const contacts = [f.contact({ waId: FROM, userId: BSUID, name: "Sanne" })]
    expect(onlyMessage(f.textMessage({ from: FROM, body: "a" }), contacts).resident).toEqual({ waId: FROM, userId: BSUID, name: "Sanne" })
    expect(onlyMessage(f.textMessage({ from: null, userId: BSUID, body: "b" }), contacts).resident).toEqual({ waId: FROM, userId: BSUID, name: "Sanne" })
  })

  it("attributes a message with only contacts[0].user_id (no from, no from_user_id) to that contact", () => {
    const parsed = parseWebhook(f.webhookBody({ contacts: [f.contact({ userId: BSUID, name: "Sanne" })], messages: [f.textMessage({ from: null, body: "x" })] }))
    expect(parsed.rejected).toEqual([])
    expect((parsed.events[0] as InboundMessageEvent).resident).toEqual({ waId: null, userId: BSUID, name: "Sanne" })
  })

  it("parks a message that names no id when the change holds several contacts: it cannot be attributed", () => {
    const contacts = [f.contact({ userId: BSUID }), f.contact({ userId: "NL.2" })]
    const parsed = parseWebhook(f.webhookBody({ contacts, messages: [f.textMessage({ from: null, body: "x" })] }))
    expect(parsed.events).toEqual([])
    expect(parsed.rejected).toHaveLength(1)
  })

  it("rejects a message with neither from nor from_user_id", () => {
    const parsed = parseWebhook(f.webhookBody({ messages: [f.textMessage({ from: null, body: "x" })] }))
    expect(parsed.events).toEqual([])
    expect(parsed.rejected).toMatchObject([{ path: "$.entry[0].changes[0].value.messages[0]", reason: expect.stringContaining("from") }])
  })
})

describe("parseWebhook: statuses and templates", () => {
  it("maps statuses, including played, BSUID recipients and failures", () => {
    const parsed = parseWebhook(f.webhookBody({
      statuses: [
        f.statusUpdate({ id: "wamid.O1", status: "delivered", recipientId: FROM, timestamp: "1700000000" }),
        f.statusUpdate({ id: "wamid.O2", status: "played", recipientId: null, recipientUserId: BSUID }),
        f.statusUpdate({ id: "wamid.O3", status: "failed", errors: [f.metaError(131047, "Re-engagement message", "More than 24 hours have passed")] }),
        f.statusUpdate({ id: "wamid.O4", status: "sent", trackingId: "msg_0123456789" })
      ]
    }))
    expect(parsed.rejected).toEqual([])
    const [delivered, played, failed, tracked] = parsed.events as ReadonlyArray<StatusEvent>
    expect(delivered).toEqual({
      kind: "status", key: "whatsapp:status:wamid.O1:delivered", channel: "whatsapp", channelAccountId: f.DEFAULT_PHONE_NUMBER_ID,
      resident: { waId: FROM, userId: null, name: null }, providerMessageId: "wamid.O1", status: "delivered",
      timestamp: "2023-11-14T22:13:20.000Z", error: null, trackingId: null
    })
    expect(played).toMatchObject({ status: "played", resident: { waId: null, userId: BSUID } })
    expect(failed).toMatchObject({ status: "failed", error: { code: 131047, title: "Re-engagement message" } })
    // biz_opaque_callback_data: Loket's tracking id of the send, echoed by Meta
    expect(tracked).toMatchObject({ status: "sent", trackingId: "msg_0123456789" })
  })

  it("rejects an unknown status value", () => {
    const parsed = parseWebhook(f.webhookBody({ statuses: [f.statusUpdate({ id: "wamid.O", status: "deleted" })] }))
    expect(parsed.events).toEqual([])
    expect(parsed.rejected[0]?.reason).toContain("unknown status")
  })

  it("maps a template status update, keyed by template, event and entry time", () => {
    const parsed = parseWebhook(f.templateStatusUpdate({ event: "REJECTED", reason: "INVALID_FORMAT", time: 1751247548 }))
    expect(parsed.events).toEqual([{
      kind: "template_status", key: "whatsapp:template:1689556908129832:REJECTED:1751247548", channel: "whatsapp",
      accountId: f.DEFAULT_WABA_ID, templateId: "1689556908129832", name: "gemeente_follow_up", language: "nl", status: "REJECTED", reason: "INVALID_FORMAT"
    }])
  })

  it("keys a template update without entry.time by a stable hash of the value", () => {
    const a = parseWebhook(f.templateStatusUpdate({ time: null, event: "PAUSED" })).events[0]
    const b = parseWebhook(f.templateStatusUpdate({ time: null, event: "PAUSED" })).events[0]
    const c = parseWebhook(f.templateStatusUpdate({ time: null, event: "PAUSED", reason: "OTHER" })).events[0]
    expect(a?.key).toMatch(/^whatsapp:template:1689556908129832:PAUSED:[0-9a-f]{16}$/)
    expect(b?.key).toBe(a?.key)
    expect(c?.key).not.toBe(a?.key)
  })
})

describe("parseWebhook: batches", () => {
  it("reads every entry, change, message and status, several phone numbers", () => {
    const body = f.envelope([
      f.entry({ changes: [
        f.messagesChange({ phoneNumberId: "PN1", contacts: [f.contact({ waId: "311" })], messages: [f.textMessage({ from: "311", id: "m1", body: "a" }), f.textMessage({ from: "311", id: "m2", body: "b" })] }),
        f.messagesChange({ phoneNumberId: "PN2", statuses: [f.statusUpdate({ id: "o1", status: "sent" }), f.statusUpdate({ id: "o1", status: "read" })] })
      ] }),
      f.entry({ wabaId: "WABA2", changes: [f.messagesChange({ phoneNumberId: "PN3", messages: [f.imageMessage({ id: "m3" })] })] })
    ])
    const parsed = parseWebhook(body)
    expect(parsed.rejected).toEqual([])
    expect(parsed.ignored).toBeNull()
    expect(parsed.events.map((e) => [e.key, "channelAccountId" in e ? e.channelAccountId : null])).toEqual([
      ["whatsapp:msg:m1", "PN1"], ["whatsapp:msg:m2", "PN1"],
      ["whatsapp:status:o1:sent", "PN2"], ["whatsapp:status:o1:read", "PN2"],
      ["whatsapp:msg:m3", "PN3"]
    ])
  })

  it("rejects malformed items and keeps the rest", () => {
    const body = f.webhookBody({
      messages: [
        f.textMessage({ id: "ok1", body: "a" }),
        { ...f.textMessage({ body: "no id" }), id: undefined },
        f.textMessage({ id: "bad-ts", body: "b", timestamp: "gisteren" }),
        "not an object",
        { ...f.imageMessage({ id: "no-media-id" }), image: { mime_type: "image/jpeg" } },
        f.textMessage({ id: "ok2", body: "c" })
      ],
      statuses: [{ id: "o1", status: "sent" }, f.statusUpdate({ id: "o2", status: "sent" })]
    })
    const parsed = parseWebhook(body)
    // The image without its id can be attributed to its resident: stored as unsupported, not parked.
    // The image without its id and the text without a readable time can be attributed to their
    // resident: stored (as unsupported; dated on arrival), not parked.
    expect(parsed.events.map((e) => e.key)).toEqual(["whatsapp:msg:ok1", "whatsapp:msg:bad-ts", "whatsapp:msg:no-media-id", "whatsapp:msg:ok2", "whatsapp:status:o2:sent"])
    const undated = (parsed.events[1] as InboundMessageEvent).message.createdAt
    expect(Math.abs(Date.parse(undated) - Date.now())).toBeLessThan(60_000)
    expect(parsed.rejected.map((r) => r.path.replace("$.entry[0].changes[0].value.", ""))).toEqual([
      "messages[1]", "messages[3]", "statuses[0]"
    ])
    expect(parsed.rejected[1]?.raw).toBe("not an object")
  })

  it("survives an item whose getters throw, keeping its neighbours", () => {
    const hostile = Object.defineProperty({}, "id", { enumerable: true, get() { throw new Error("boom") } })
    const parsed = parseWebhook(f.webhookBody({ messages: [hostile, f.textMessage({ id: "ok", body: "a" })] }))
    expect(parsed.events.map((e) => e.key)).toEqual(["whatsapp:msg:ok"])
    expect(parsed.rejected).toMatchObject([{ path: "$.entry[0].changes[0].value.messages[0]", reason: "unreadable: boom" }])
  })

  it("rejects every item of a value without phone_number_id", () => {
    const parsed = parseWebhook(f.webhookBody({ phoneNumberId: null, messages: [f.textMessage({ body: "a" })], statuses: [f.statusUpdate({ id: "o", status: "sent" })] }))
    expect(parsed.events).toEqual([])
    expect(parsed.rejected.map((r) => r.reason)).toEqual(["value without metadata.phone_number_id", "value without metadata.phone_number_id"])
  })

  it("parks value-level errors", () => {
    const parsed = parseWebhook(f.webhookBody({ errors: [f.metaError(131000, "Something went wrong")] }))
    expect(parsed.rejected).toMatchObject([{ path: "$.entry[0].changes[0].value.errors[0]", reason: "webhook error 131000: Something went wrong" }])
  })

  it("parses a 1,000-message batch well under 20 ms", () => {
    const body = f.textBatch(1000)
    parseWebhook(body) // warm-up
    const runs: Array<number> = []
    for (let i = 0; i < 5; i++) {
      const start = performance.now()
      const parsed = parseWebhook(body)
      runs.push(performance.now() - start)
      expect(parsed.events).toHaveLength(1000)
    }
    expect(Math.min(...runs)).toBeLessThan(20)
  })
})

describe("parseWebhook: not for us", () => {
  it("ignores another object", () => {
    expect(parseWebhook({ object: "page", entry: [] })).toEqual({ events: [], rejected: [], ignored: "object page is not whatsapp_business_account" })
  })

  it("ignores fields it does not handle, naming them", () => {
    const body = f.envelope([f.entry({ changes: [{ field: "account_update", value: { event: "VERIFIED_ACCOUNT" } }, { field: "group_lifecycle_update", value: {} }] })])
    expect(parseWebhook(body)).toEqual({ events: [], rejected: [], ignored: "field(s) account_update, group_lifecycle_update not handled" })
  })

  it("skips unknown fields next to messages without ignoring the body", () => {
    const body = f.envelope([f.entry({ changes: [{ field: "account_update", value: {} }, f.messagesChange({ messages: [f.textMessage({ body: "x" })] })] })])
    const parsed = parseWebhook(body)
    expect(parsed.events).toHaveLength(1)
    expect(parsed.ignored).toBeNull()
  })

  it("parks bodies with the right object but a broken shape", () => {
    expect(parseWebhook({ object: "whatsapp_business_account" }).rejected).toMatchObject([{ path: "$.entry", reason: "entry is not an array" }])
    expect(parseWebhook({ object: "whatsapp_business_account", entry: [{ id: "1", changes: {} }] }).rejected).toMatchObject([{ path: "$.entry[0].changes" }])
    expect(parseWebhook([1, 2]).rejected).toMatchObject([{ path: "$" }])
    expect(parseWebhook(null).rejected).toMatchObject([{ path: "$" }])
  })
})
