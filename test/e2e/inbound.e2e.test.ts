/** Every message type from Meta's webhook to the agent API, over real HTTP and SQLite. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually, startGateway, type TestGateway } from "../support/gateway.ts"
import { allConversations, allMessages, api, fixtures, postWebhook } from "../support/whatsapp.ts"

let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway()
})
afterAll(() => gw.close())

const conversationOf = async (handle: string, account = fixtures.DEFAULT_PHONE_NUMBER_ID) =>
  (await allConversations(gw.url)).find((c) => c.contact.handle === handle && c.channelAccountId === account)

const waitForMessages = async (handle: string, count: number, account?: string) => {
  const conversation = await eventually(() => conversationOf(handle, account), (c) => c !== undefined)
  return eventually(() => allMessages(gw.url, conversation.id), (m) => m.length >= count)
}

describe("inbound messages of every type", () => {
  it("maps each type and field to the contract's Message", async () => {
    const from = "31622222222"
    const t = (n: number) => String(1_760_000_000 + n)
    const quoted = fixtures.wamid()
    const messages = [
      fixtures.textMessage({ from, body: "Mijn container is niet geleegd", timestamp: t(1), id: quoted }),
      fixtures.imageMessage({ from, timestamp: t(2), caption: "de container" }),
      fixtures.audioMessage({ from, timestamp: t(3), voice: true, mimeType: "audio/ogg; codecs=opus" }),
      fixtures.videoMessage({ from, timestamp: t(4) }),
      fixtures.documentMessage({ from, timestamp: t(5), filename: "bezwaar.pdf" }),
      fixtures.stickerMessage({ from, timestamp: t(6), animated: true }),
      fixtures.locationMessage({ from, timestamp: t(7), latitude: 52.0907, longitude: 5.1214, name: "Stadhuis", address: "Stadhuisbrug 1, Utrecht" }),
      fixtures.contactsMessage({ from, timestamp: t(8), cards: [{ name: "Jan Jansen", phones: ["+31 6 1234 5678"], emails: ["jan@example.nl"] }] }),
      fixtures.buttonReplyMessage({ from, timestamp: t(9), replyId: "afspraak", title: "Afspraak maken" }),
      fixtures.listReplyMessage({ from, timestamp: t(10), replyId: "paspoort", title: "Paspoort" }),
      fixtures.flowReplyMessage({ from, timestamp: t(11), responseJson: "{\"flow_token\":\"x\",\"wijk\":\"centrum\"}" }),
      fixtures.quickReplyMessage({ from, timestamp: t(12), payload: "JA_GRAAG", text: "Ja graag" }),
      fixtures.reactionMessage({ from, timestamp: t(13), messageId: quoted, emoji: "👍" }),
      fixtures.reactionMessage({ from, timestamp: t(14), messageId: quoted }),
      fixtures.orderMessage({ from, timestamp: t(15), catalogId: "cat-1", items: [{ productRetailerId: "parkeervergunning", quantity: 1, itemPrice: 12.5, currency: "EUR" }] }),
      fixtures.unsupportedMessage({ from, timestamp: t(16), errors: [fixtures.metaError(131051, "Message type unknown")] }),
      fixtures.requestWelcomeMessage({ from, timestamp: t(17) }),
      fixtures.textMessage({ from, body: "Zie hierboven", timestamp: t(18), context: { id: quoted, forwarded: true } }),
      fixtures.textMessage({ from, body: "Via de advertentie", timestamp: t(19), referral: { source_url: "https://fb.me/x", source_type: "ad", source_id: "123", headline: "Grofvuil", body: "Meld het", ctwa_clid: "ARA" } })
    ]
    const res = await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from, name: "Fatima El Amrani" })], messages }))
    expect(res.status).toBe(200)
    const answer = await res.json()
    expect(answer, JSON.stringify(answer)).toMatchObject({ accepted: messages.length, duplicates: 0 })

    const items = await waitForMessages(from, messages.length)
    expect(items.map((m) => m.type)).toEqual([
      "text", "image", "audio", "video", "document", "sticker", "location", "contacts", "interactive", "interactive",
      "interactive", "button", "reaction", "reaction", "order", "unsupported", "system", "text", "text"
    ])
    const [text, image, audio, , document, sticker, location, contacts, button, list, flow, quick, reaction, unreaction, order, unsupported, welcome, reply, referral] = items
    expect(text).toMatchObject({ direction: "inbound", status: "received", text: "Mijn container is niet geleegd", providerMessageId: quoted, createdAt: new Date(1_760_000_001_000).toISOString(), flags: [] })
    expect(image).toMatchObject({ text: "de container", media: { id: "1003383421387256", mimeType: "image/jpeg", sha256: expect.any(String), filename: null } })
    expect(audio.media.mimeType).toMatch(/^audio\//)
    expect(document.media.filename).toBe("bezwaar.pdf")
    expect(sticker.media.animated).toBe(true)
    expect(location.location).toEqual({ latitude: 52.0907, longitude: 5.1214, name: "Stadhuis", address: "Stadhuisbrug 1, Utrecht" })
    expect(contacts.contacts).toEqual([{ name: "Jan Jansen", phones: ["+31 6 1234 5678"], emails: ["jan@example.nl"] }])
    expect(button.reply).toEqual({ id: "afspraak", title: "Afspraak maken" })
    expect(list.reply).toEqual({ id: "paspoort", title: "Paspoort" })
    expect(flow.flow.responseJson).toContain("centrum")
    expect(quick.reply).toEqual({ id: "JA_GRAAG", title: "Ja graag" })
    expect(reaction.reaction).toEqual({ emoji: "👍", messageId: quoted })
    expect(unreaction.reaction).toEqual({ emoji: null, messageId: quoted })
    expect(order.order.items[0]).toMatchObject({ productRetailerId: "parkeervergunning", quantity: 1 })
    expect(unsupported.error).toMatchObject({ code: 131051 })
    expect(welcome.system.type).toBe("request_welcome")
    expect(reply).toMatchObject({ replyTo: quoted, forwarded: "forwarded" })
    expect(referral.referral).toMatchObject({ sourceUrl: "https://fb.me/x", sourceType: "ad", headline: "Grofvuil", ctwaClid: "ARA" })

    const conversation = await conversationOf(from)
    expect(conversation).toMatchObject({
      channel: "whatsapp", channelAccountId: fixtures.DEFAULT_PHONE_NUMBER_ID, status: "open", team: null, assignee: null,
      contact: { handle: from, name: "Fatima El Amrani", userId: null },
      lastMessageAt: new Date(1_760_000_019_000).toISOString(),
      // the window runs 24 h from the resident's last message, by Meta's timestamp
      windowExpiresAt: new Date(1_760_000_019_000 + 86_400_000).toISOString()
    })
  })

  it("handles every entry, change, message and several numbers of one batched POST", async () => {
    const body = fixtures.envelope([
      fixtures.entry({ changes: [
        fixtures.messagesChange({ phoneNumberId: "111", contacts: [fixtures.contact({ waId: "31633333301" })], messages: [fixtures.textMessage({ from: "31633333301", body: "a" }), fixtures.textMessage({ from: "31633333301", body: "b" })] }),
        fixtures.messagesChange({ phoneNumberId: "222", contacts: [fixtures.contact({ waId: "31633333301" })], messages: [fixtures.textMessage({ from: "31633333301", body: "c" })] })
      ] }),
      fixtures.entry({ wabaId: "999", changes: [
        fixtures.messagesChange({ phoneNumberId: "111", contacts: [fixtures.contact({ waId: "31633333302" })], messages: [fixtures.textMessage({ from: "31633333302", body: "d" })] })
      ] })
    ])
    const res = await postWebhook(gw.url, body)
    expect(await res.json()).toMatchObject({ accepted: 4 })
    expect((await waitForMessages("31633333301", 2, "111")).map((m) => m.text)).toEqual(["a", "b"])
    expect((await waitForMessages("31633333301", 1, "222")).map((m) => m.text)).toEqual(["c"])
    expect((await waitForMessages("31633333302", 1, "111")).map((m) => m.text)).toEqual(["d"])
    const a = await conversationOf("31633333301", "111")
    const b = await conversationOf("31633333301", "222")
    expect(a.id).not.toBe(b.id)
    expect(a.contact.id).toBe(b.contact.id) // one resident, two municipal numbers
  })

  it("absorbs redeliveries: the same message delivered again changes nothing", async () => {
    const from = "31644444444"
    const body = fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from })], messages: [fixtures.textMessage({ from, body: "één keer" })] })
    expect(await (await postWebhook(gw.url, body)).json()).toMatchObject({ accepted: 1, duplicates: 0 })
    await waitForMessages(from, 1)
    const again = await Promise.all([postWebhook(gw.url, body), postWebhook(gw.url, body), postWebhook(gw.url, body)])
    for (const res of again) expect(await res.json()).toMatchObject({ accepted: 0, duplicates: 1 })
    await new Promise((r) => setTimeout(r, 200))
    expect(await allMessages(gw.url, (await conversationOf(from)).id)).toHaveLength(1)
  })

  it("keeps a resident who arrives with only a business-scoped user id as one contact when the number appears", async () => {
    const userId = "NL.88872727272727"
    const first = fixtures.webhookBody({ contacts: [fixtures.contact({ userId, name: "anoniem" })], messages: [fixtures.textMessage({ from: null, userId, body: "zonder nummer" })] })
    expect((await postWebhook(gw.url, first)).status).toBe(200)
    const conversation = await eventually(() => conversationOf(userId), (c) => c !== undefined)
    expect(conversation.contact).toMatchObject({ handle: userId, userId })

    const later = fixtures.webhookBody({ contacts: [fixtures.contact({ waId: "31655555555", userId, name: "anoniem" })], messages: [fixtures.textMessage({ from: "31655555555", userId, body: "met nummer" })] })
    await postWebhook(gw.url, later)
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (m) => m.length === 2)
    expect(messages.map((m) => m.text)).toEqual(["zonder nummer", "met nummer"])
    const updated = (await api(gw.url, `/conversations/${conversation.id}`)).body
    expect(updated.contact).toMatchObject({ id: conversation.contact.id, handle: "31655555555", userId })
  })

  it("keeps one contact when a system message announces a new number", async () => {
    const old = "31666666601"
    const renumbered = "31666666602"
    await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: old })], messages: [fixtures.textMessage({ from: old, body: "oud nummer" })] }))
    const conversation = await eventually(() => conversationOf(old), (c) => c !== undefined)
    await postWebhook(gw.url, fixtures.webhookBody({ messages: [fixtures.systemMessage({ from: old, systemType: "customer_changed_number", newWaId: renumbered })] }))
    await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: renumbered })], messages: [fixtures.textMessage({ from: renumbered, body: "nieuw nummer" })] }))
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (m) => m.length === 3)
    expect(messages.map((m) => m.type)).toEqual(["text", "system", "text"])
    expect((await api(gw.url, `/conversations/${conversation.id}`)).body.contact.handle).toBe(renumbered)
  })

  it("parks an item it cannot read without losing the rest of the batch", async () => {
    const from = "31677777777"
    const broken = { from, timestamp: "1760000000", type: "text", text: { body: "zonder id" } }
    const res = await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from })], messages: [broken, fixtures.textMessage({ from, body: "met id" })] }))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ accepted: 1, parked: 1 })
    expect((await waitForMessages(from, 1)).map((m) => m.text)).toEqual(["met id"])
  })
})
