/**
 * Linking a resident's contacts across channels, over real HTTP on loopback (SQLite, and
 * PostgreSQL in the `postgres` project): residents write on WhatsApp (signed webhooks), Telegram
 * (secret-token updates) and SMS (Twilio-signed posts); an agent links their contacts, sees the
 * links on every conversation, unlinks them; the refusals (422, 404, 413), the audit entries
 * without personal data, access "team", and a WhatsApp merge that keeps the links.
 */
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { telegramBotMock } from "../msw/telegram.ts"
import { auth, baseEnv, eventually, PLAYBOOK_OFF, startGateway, type TestGateway } from "../support/gateway.ts"
import { inboundSms, newResidentNumber, postTwilio, smsEnv } from "../support/sms.ts"
import { BOT_TOKEN, messageUpdate, postUpdate, TELEGRAM_API, telegramEnv } from "../support/telegram.ts"
import { allConversations, fixtures, postWebhook } from "../support/whatsapp.ts"

const bot = telegramBotMock({ apiUrl: TELEGRAM_API, token: BOT_TOKEN })
const msw = setupServer(...bot.handlers)
let gw: TestGateway

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "bypass" })
  gw = await startGateway(baseEnv({ ...telegramEnv(), ...smsEnv(), ...PLAYBOOK_OFF }))
})
afterAll(async () => {
  await gw.close()
  msw.close()
})
afterEach(() => bot.assertValid())

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

async function call(method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...auth, ...options.headers }
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  if (body !== undefined) headers["content-type"] = "application/json"
  const res = await fetch(`${gw.url}/api/v1${path}`, { method, headers, body })
  const text = await res.text()
  return { status: res.status, json: text === "" ? undefined : JSON.parse(text) }
}

let counter = 0
const unique = () => `${String(process.pid % 1000).padStart(3, "0")}${String(++counter).padStart(4, "0")}`

/** A conversation of `channel` whose contact matches, once it lists. */
const conversationWhere = (channel: string, match: (contact: any) => boolean) =>
  eventually(async () => (await allConversations(gw.url)).find((c) => c.channel === channel && match(c.contact)), (c) => c !== undefined)

/** A WhatsApp resident writes: by number, by BSUID only, or with both. */
async function onWhatsApp(ids: { waId?: string; userId?: string }, name = "Sanne de Vries") {
  const message = fixtures.textMessage({ from: ids.waId ?? null, ...(ids.userId === undefined ? {} : { userId: ids.userId }), body: "Hallo gemeente", timestamp: String(Math.floor(Date.now() / 1000)) })
  const res = await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ ...ids, name })], messages: [message] }))
  expect(res.status).toBe(200)
}

async function whatsappResident(name = "Sanne de Vries") {
  const waId = `3165${unique()}`
  await onWhatsApp({ waId }, name)
  return { waId, conversation: await conversationWhere("whatsapp", (c) => c.handle === waId) }
}

let chats = 770_000_000
async function telegramResident() {
  const chatId = ++chats
  expect((await postUpdate(gw.url, messageUpdate({ chatId, firstName: "Sanne", lastName: "de Vries" }, { text: "Hoi, ook via Telegram" }))).status).toBe(200)
  return { chatId, conversation: await conversationWhere("telegram", (c) => c.handle === String(chatId)) }
}

/** The handle Loket keeps for SMS is the E.164 number without `+`. */
async function smsResident() {
  const number = newResidentNumber()
  expect((await postTwilio(gw.url, inboundSms(number, "En per sms"))).status).toBe(200)
  return { number, conversation: await conversationWhere("sms", (c) => c.handle === number.slice(1)) }
}

const linkedOf = async (conversationId: string) => (await call("GET", `/conversations/${conversationId}`)).json.contact.linked
const listedLinks = async (conversationId: string) => (await allConversations(gw.url)).find((c) => c.id === conversationId)?.contact.linked

/** The events of one SSE stream, as they arrive. */
async function openEvents() {
  const controller = new AbortController()
  const res = await fetch(`${gw.url}/api/v1/events`, { headers: auth, signal: controller.signal })
  expect(res.status).toBe(200)
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  const events: Array<{ event: string; data: any }> = []
  let buffer = ""
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }))
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let end: number
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: ?(.*)$/m.exec(block)?.[1]
        const data = /^data: ?(.*)$/m.exec(block)?.[1]
        if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) })
      }
    }
  })()
  return { events, close: () => controller.abort() }
}

describe("linking a resident's contacts across channels", () => {
  it("links a WhatsApp number and a Telegram user: both conversations show the other channel, SSE tells, the audit holds ids only; unlinking undoes it", async () => {
    const wa = await whatsappResident()
    const tg = await telegramResident()
    const waContact = wa.conversation.contact.id
    const tgContact = tg.conversation.contact.id
    expect(wa.conversation.contact.linked).toEqual([])
    const stream = await openEvents()

    const linked = await call("POST", `/contacts/${waContact}/links`, { body: { contactId: tgContact } })
    expect(linked.status).toBe(201)
    expect(linked.json).toMatchObject({
      id: waContact, channel: "whatsapp", handle: wa.waId, name: "Sanne de Vries", conversations: [wa.conversation.id],
      linked: [{ contactId: tgContact, channel: "telegram", conversations: [tg.conversation.id] }]
    })
    // Contacts and conversations stay apart: each conversation names the other channel's contact.
    expect(await linkedOf(wa.conversation.id)).toEqual([{ contactId: tgContact, channel: "telegram" }])
    expect(await linkedOf(tg.conversation.id)).toEqual([{ contactId: waContact, channel: "whatsapp" }])
    expect(await listedLinks(wa.conversation.id)).toEqual([{ contactId: tgContact, channel: "telegram" }])
    expect(await listedLinks(tg.conversation.id)).toEqual([{ contactId: waContact, channel: "whatsapp" }])
    expect((await call("GET", `/contacts/${tgContact}`)).json).toMatchObject({ channel: "telegram", linked: [{ contactId: waContact, channel: "whatsapp", conversations: [wa.conversation.id] }] })
    const updates = await eventually(async () => stream.events.filter((e) => e.event === "conversation.updated" && [wa.conversation.id, tg.conversation.id].includes(e.data.id)), (e) => e.length === 2)
    expect(updates.find((e) => e.data.id === tg.conversation.id)!.data.contact.linked).toEqual([{ contactId: waContact, channel: "whatsapp" }])

    // The same link again changes nothing (200), from either side.
    expect((await call("POST", `/contacts/${tgContact}/links`, { body: { contactId: waContact } })).status).toBe(200)

    const unlinked = await call("DELETE", `/contacts/${waContact}/links/${tgContact}`)
    expect(unlinked.status).toBe(200)
    expect(unlinked.json).toMatchObject({ id: waContact, linked: [] })
    expect(await linkedOf(wa.conversation.id)).toEqual([])
    expect(await listedLinks(tg.conversation.id)).toEqual([])
    expect((await call("DELETE", `/contacts/${waContact}/links/${tgContact}`)).json.error.code).toBe("link_not_found")
    await eventually(async () => stream.events.filter((e) => e.event === "conversation.updated" && e.data.id === tg.conversation.id), (e) => e.length === 2)
    stream.close()

    const audit = (await call("GET", `/audit?target=contact:${waContact}&limit=10`)).json.items as Array<any>
    expect(audit.map((e) => e.action)).toEqual(["contact.unlink", "contact.link"])
    expect(audit[1]).toMatchObject({
      actor: { kind: "token" },
      before: { contactIds: [waContact], otherContactIds: [tgContact] },
      after: { contactIds: [waContact, tgContact].sort(), linked: tgContact }
    })
    expect(audit[0]).toMatchObject({ after: { residentId: null, contactIds: [], unlinked: tgContact } })
    const written = JSON.stringify(audit)
    for (const personal of [wa.waId, String(tg.chatId), "Sanne", "Vries"]) expect(written).not.toContain(personal)
  })

  it("a resident is a set: a third channel joins everyone; one contact per channel; unlinking one leaves the others linked", async () => {
    const wa = await whatsappResident()
    const tg = await telegramResident()
    const sms = await smsResident()
    const [w, t, s] = [wa, tg, sms].map((r) => r.conversation.contact.id as string)
    expect((await call("POST", `/contacts/${w}/links`, { body: { contactId: t } })).status).toBe(201)
    expect((await call("POST", `/contacts/${s}/links`, { body: { contactId: t } })).status).toBe(201)
    expect((await linkedOf(wa.conversation.id)).map((l: any) => l.channel).sort()).toEqual(["sms", "telegram"])
    expect((await linkedOf(sms.conversation.id)).map((l: any) => l.contactId).sort()).toEqual([w, t].sort())

    // Another WhatsApp contact cannot join a resident that has one.
    const other = await whatsappResident("Piet Jansen")
    const taken = await call("POST", `/contacts/${other.conversation.contact.id}/links`, { body: { contactId: s } })
    expect(taken.status).toBe(422)
    expect(taken.json.error).toMatchObject({ code: "same_channel", details: [{ path: "contactId" }] })
    expect(taken.json.error.message).toContain(w)

    expect((await call("DELETE", `/contacts/${w}/links/${s}`)).json.linked).toEqual([{ contactId: t, channel: "telegram", conversations: [tg.conversation.id] }])
    expect(await linkedOf(sms.conversation.id)).toEqual([])
    expect(await linkedOf(tg.conversation.id)).toEqual([{ contactId: w, channel: "whatsapp" }])
  })

  it("two agents linking one contact to two Telegram users at once: one link wins, the resident keeps one contact per channel", async () => {
    for (let round = 0; round < 5; round++) {
      const wa = await whatsappResident()
      const [first, second] = [await telegramResident(), await telegramResident()]
      const w = wa.conversation.contact.id
      const answers = await Promise.all([first, second].map((tg) => call("POST", `/contacts/${w}/links`, { body: { contactId: tg.conversation.contact.id } })))
      const statuses = answers.map((a) => a.status).sort()
      expect(statuses[0]).toBe(201)
      expect([409, 422]).toContain(statuses[1])
      const winner = answers.find((a) => a.status === 201)!.json.linked[0].contactId
      expect(await linkedOf(wa.conversation.id)).toEqual([{ contactId: winner, channel: "telegram" }])
      const loser = [first, second].find((tg) => tg.conversation.contact.id !== winner)!
      expect(await linkedOf(loser.conversation.id)).toEqual([])
    }
  })

  it("refuses what cannot be a link with a 4xx naming the field", async () => {
    const wa = await whatsappResident()
    const second = await whatsappResident()
    const w = wa.conversation.contact.id
    const self = await call("POST", `/contacts/${w}/links`, { body: { contactId: w } })
    expect(self.status).toBe(422)
    expect(self.json.error.code).toBe("same_contact")
    const sameChannel = await call("POST", `/contacts/${w}/links`, { body: { contactId: second.conversation.contact.id } })
    expect(sameChannel.status).toBe(422)
    expect(sameChannel.json.error).toMatchObject({ code: "same_channel", details: [{ path: "contactId" }] })
    const unknown = await call("POST", `/contacts/${w}/links`, { body: { contactId: "con_nobody" } })
    expect(unknown.status).toBe(422)
    expect(unknown.json.error).toMatchObject({ code: "contact_not_found", details: [{ path: "contactId" }] })
    const missing = await call("POST", `/contacts/${w}/links`, { body: {} })
    expect(missing.status).toBe(422)
    expect(missing.json.error.details.map((d: any) => d.path)).toEqual(["contactId"])
    expect((await call("POST", `/contacts/${w}/links`, { raw: "{nope" })).status).toBe(400)
    const big = await call("POST", `/contacts/${w}/links`, { raw: JSON.stringify({ contactId: "x".repeat(5000) }) })
    expect(big.status).toBe(413)
    expect(big.json.error.message).toContain("4 KiB")
    expect((await call("POST", "/contacts/con_nobody/links", { body: { contactId: w } })).status).toBe(404)
    expect((await call("GET", "/contacts/con_nobody")).json.error.code).toBe("contact_not_found")
    // Nothing was linked by any of it.
    expect(await linkedOf(wa.conversation.id)).toEqual([])
    expect((await call("GET", `/audit?target=contact:${w}`)).json.items).toEqual([])
  })

  it('with access "team", an agent cannot see or link a contact whose conversations belong to another team', async () => {
    const teamOf = async (name: string) => (await call("POST", "/teams", { body: { name: `${name}-${unique()}` } })).json.id as string
    const burgerzaken = await teamOf("burgerzaken")
    const belastingen = await teamOf("belastingen")
    const created = await call("POST", "/agents", { body: { email: `eva.${unique()}@gemeente.nl`, name: "Eva", role: "agent", teams: [burgerzaken] } })
    const token = (await call("POST", "/tokens", { body: { name: "eva", role: "agent", agentId: created.json.id } })).json.token as string
    const hidden = await whatsappResident()
    const visible = await telegramResident()
    await call("POST", `/conversations/${hidden.conversation.id}/assign`, { body: { team: belastingen } })
    expect((await call("PATCH", "/settings", { body: { access: "team" }, headers: { "content-type": "application/merge-patch+json" } })).status).toBe(200)
    try {
      const h = hidden.conversation.contact.id
      const v = visible.conversation.contact.id
      expect((await call("GET", `/contacts/${h}`, { headers: bearer(token) })).status).toBe(404)
      expect((await call("POST", `/contacts/${h}/links`, { body: { contactId: v }, headers: bearer(token) })).status).toBe(404)
      const fromVisible = await call("POST", `/contacts/${v}/links`, { body: { contactId: h }, headers: bearer(token) })
      expect(fromVisible.status).toBe(422)
      expect(fromVisible.json.error).toMatchObject({ code: "contact_not_found", details: [{ path: "contactId" }] })
      expect((await call("GET", `/contacts/${v}`, { headers: bearer(token) })).status).toBe(200)
      // An admin links them; the agent sees the link, but not the other team's conversation id.
      expect((await call("POST", `/contacts/${v}/links`, { body: { contactId: h } })).status).toBe(201)
      expect((await call("GET", `/contacts/${v}`, { headers: bearer(token) })).json.linked).toEqual([{ contactId: h, channel: "whatsapp", conversations: [] }])
      expect((await call("DELETE", `/contacts/${v}/links/${h}`, { headers: bearer(token) })).status).toBe(404)
    } finally {
      await call("PATCH", "/settings", { body: { access: "all" }, headers: { "content-type": "application/merge-patch+json" } })
    }
  })

  it("a WhatsApp merge (number ↔ BSUID) moves the absorbed contact's links to the survivor", async () => {
    const waId = `3167${unique()}`
    const userId = `NL.66${unique()}`
    await onWhatsApp({ waId })
    const byNumber = await conversationWhere("whatsapp", (c) => c.handle === waId)
    await onWhatsApp({ userId })
    const byUser = await conversationWhere("whatsapp", (c) => c.handle === userId)
    expect(byUser.contact.id).not.toBe(byNumber.contact.id)
    const tg = await telegramResident()
    expect((await call("POST", `/contacts/${byUser.contact.id}/links`, { body: { contactId: tg.conversation.contact.id } })).status).toBe(201)

    // Meta names both ids: the BSUID's contact is merged into the number's (the older).
    await onWhatsApp({ waId, userId })
    await eventually(() => call("GET", `/contacts/${byUser.contact.id}`), (r) => r.status === 404)
    expect(await linkedOf(tg.conversation.id)).toEqual([{ contactId: byNumber.contact.id, channel: "whatsapp" }])
    const survivor = await call("GET", `/contacts/${byNumber.contact.id}`)
    expect(survivor.json).toMatchObject({ userId, linked: [{ contactId: tg.conversation.contact.id, channel: "telegram", conversations: [tg.conversation.id] }] })
    expect(await linkedOf(byNumber.id)).toEqual([{ contactId: tg.conversation.contact.id, channel: "telegram" }])
  })
})
