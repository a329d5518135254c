/** Agents' replies to residents: through the actor, the outbox and msw's stand-in for the Graph API. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { auth, eventually } from "../support/gateway.ts"
import { ACCESS_TOKEN, PHONE, residentWrites, startOutboundGateway } from "../support/outbound.ts"
import { allConversations, allMessages, api, fixtures, postWebhook } from "../support/whatsapp.ts"

let ctx: Awaited<ReturnType<typeof startOutboundGateway>>
beforeAll(async () => {
  ctx = await startOutboundGateway()
})
afterAll(() => ctx.close())
afterEach(() => ctx.graph.assertValid())

const url = () => ctx.gw.url

async function conversationFor(waId: string) {
  return eventually(async () => (await allConversations(url())).find((c) => c.contact.handle === waId || c.contact.userId === waId), (c) => c !== undefined)
}

function send(conversationId: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url()}/api/v1/conversations/${conversationId}/messages`, {
    method: "POST", headers: { ...auth, "content-type": "application/json", ...headers }, body: JSON.stringify(body)
  })
}

const messageById = async (conversationId: string, id: string) => (await allMessages(url(), conversationId)).find((m) => m.id === id)
const sentTo = (who: string) => ctx.graph.sent.filter((s) => s.body.to === who || s.body.recipient === who)

describe("POST /api/v1/conversations/:id/messages", () => {
  it("sends a text reply once, inside the window, and shows it going from queued to sent", async () => {
    const { waId, providerMessageId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    const res = await send(conversation.id, { text: "Goedemiddag, we kijken ernaar.", replyTo: providerMessageId })
    expect(res.status).toBe(202)
    const queued = await res.json()
    expect(queued).toMatchObject({ direction: "outbound", type: "text", status: "queued", text: "Goedemiddag, we kijken ernaar.", replyTo: providerMessageId, author: "LOKET_ADMIN_TOKEN" })
    const sent = await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "sent")
    expect(sent.providerMessageId).toMatch(/^wamid\./)
    const requests = sentTo(waId)
    expect(requests).toHaveLength(1)
    expect(requests[0]!.phoneNumberId).toBe(PHONE)
    expect(requests[0]!.body).toMatchObject({
      messaging_product: "whatsapp", recipient_type: "individual", to: waId, type: "text",
      text: { body: "Goedemiddag, we kijken ernaar.", preview_url: false }, context: { message_id: providerMessageId },
      biz_opaque_callback_data: queued.id
    })
    expect((await api(url(), `/conversations/${conversation.id}`)).body.windowClosingSoon).toBe(false)
  })

  it("answers the same message for the same Idempotency-Key and sends it once", async () => {
    const { waId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    const headers = { "idempotency-key": "agent-42-reply-1" }
    const [a, b] = await Promise.all([send(conversation.id, { text: "Eén keer" }, headers), send(conversation.id, { text: "Eén keer" }, headers)])
    const [first, second] = [await a.json(), await b.json()]
    expect(second.id).toBe(first.id)
    await eventually(() => messageById(conversation.id, first.id), (m) => m?.status === "sent")
    await new Promise((r) => setTimeout(r, 100))
    expect(sentTo(waId)).toHaveLength(1)
    expect((await allMessages(url(), conversation.id)).filter((m) => m.direction === "outbound")).toHaveLength(1)
  })

  it("refuses free text once the window has closed, and sends an approved template", async () => {
    const { waId } = await residentWrites(url(), { timestamp: Math.floor(Date.now() / 1000) - 25 * 3600 })
    const conversation = await conversationFor(waId)
    const res = await send(conversation.id, { text: "Te laat" })
    expect(res.status).toBe(422)
    expect((await res.json()).error).toMatchObject({ code: "window_closed", message: expect.stringContaining("template") })
    expect(sentTo(waId)).toHaveLength(0)

    await eventually(async () => (await api(url(), "/templates")).body.items.length, (n) => n >= 2)
    const template = { name: "gemeente_follow_up", language: "nl", components: [{ type: "body", parameters: [{ type: "text", text: "Sanne" }, { type: "text", text: "M-12" }] }] }
    const ok = await send(conversation.id, { template })
    expect(ok.status).toBe(202)
    const message = await ok.json()
    expect(message).toMatchObject({ type: "template", text: "Beste Sanne, uw melding M-12 is in behandeling.", template: { name: "gemeente_follow_up", language: "nl" } })
    await eventually(() => messageById(conversation.id, message.id), (m) => m?.status === "sent")
    expect(sentTo(waId)[0]!.body).toMatchObject({ type: "template", template: { name: "gemeente_follow_up", language: { code: "nl" }, components: template.components } })
  })

  it("refuses unknown, unapproved and wrongly filled templates with a message naming the problem", async () => {
    const { waId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    await eventually(async () => (await api(url(), "/templates")).body.items.length, (n) => n >= 2)
    const cases: Array<[unknown, string]> = [
      [{ name: "bestaat_niet", language: "nl" }, "template_not_found"],
      [{ name: "gemeente_nieuws", language: "nl" }, "template_not_approved"],
      [{ name: "gemeente_follow_up", language: "nl", components: [{ type: "body", parameters: [{ type: "text", text: "één" }] }] }, "template_parameters"]
    ]
    for (const [template, code] of cases) {
      const res = await send(conversation.id, { template })
      expect(res.status, code).toBe(422)
      const error = (await res.json()).error
      expect(error.code).toBe(code)
      if (code === "template_parameters") expect(error.message).toContain("needs 2 body parameter(s), got 1")
    }
    expect(sentTo(waId)).toHaveLength(0)
  })

  it("names the field and the limit of a message Meta would refuse, before queueing it", async () => {
    const { waId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    const tooLong = await send(conversation.id, { text: "x".repeat(4097) })
    expect(tooLong.status).toBe(422)
    expect((await tooLong.json()).error.details[0]).toMatchObject({ path: "text", message: expect.stringContaining("4096") })
    const buttons = [1, 2, 3, 4].map((n) => ({ id: `b${n}`, title: `Knop ${n}` }))
    const tooMany = await send(conversation.id, { interactive: { type: "button", body: "Kies", buttons } })
    expect(tooMany.status).toBe(422)
    expect((await tooMany.json()).error.details[0].path).toContain("interactive.buttons")
    const nothing = await send(conversation.id, { hello: "world" })
    expect(nothing.status).toBe(422)
    expect((await nothing.json()).error.code).toBe("invalid_message")
    const notJson = await fetch(`${url()}/api/v1/conversations/${conversation.id}/messages`, { method: "POST", headers: auth, body: "{" })
    expect(notJson.status).toBe(400)
    expect((await send("cnv_unknown", { text: "hoi" })).status).toBe(404)
    expect(sentTo(waId)).toHaveLength(0)
  })

  it("sends media, interactive messages and reactions in Meta's documented shapes", async () => {
    const { waId, providerMessageId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    const bodies = [
      { media: { type: "image", link: "https://www.gemeente.nl/kaart.png", caption: "De kaart" } },
      { media: { type: "document", id: "1234567890", filename: "besluit.pdf" } },
      { interactive: { type: "button", body: "Wilt u een afspraak?", buttons: [{ id: "ja", title: "Ja" }, { id: "nee", title: "Nee" }] } },
      { interactive: { type: "list", body: "Kies een onderwerp", button: "Onderwerpen", sections: [{ title: "Burgerzaken", rows: [{ id: "paspoort", title: "Paspoort" }] }] } },
      { reaction: { messageId: providerMessageId, emoji: "👍" } }
    ]
    for (const body of bodies) expect((await send(conversation.id, body)).status).toBe(202)
    await eventually(async () => sentTo(waId).length, (n) => n === bodies.length)
    const types = sentTo(waId).map((s) => s.body.type)
    expect(types.sort()).toEqual(["document", "image", "interactive", "interactive", "reaction"])
    const reaction = sentTo(waId).find((s) => s.body.type === "reaction")!
    expect(reaction.body.reaction).toEqual({ message_id: providerMessageId, emoji: "👍" })
    const messages = await allMessages(url(), conversation.id)
    expect(messages.find((m) => m.type === "interactive" && m.interactive.type === "list")).toMatchObject({ text: "Kies een onderwerp" })
  })

  it("uploads a file to the Graph API and sends it by id", async () => {
    const { waId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    const form = new FormData()
    form.set("file", new File([new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d])], "vergunning.pdf", { type: "application/pdf" }))
    const upload = await fetch(`${url()}/api/v1/media`, { method: "POST", headers: auth, body: form })
    expect(upload.status).toBe(201)
    const { id } = await upload.json()
    expect(ctx.graph.uploads.at(-1)).toMatchObject({ phoneNumberId: PHONE, type: "application/pdf", filename: "vergunning.pdf" })
    expect((await send(conversation.id, { media: { type: "document", id, filename: "vergunning.pdf", caption: "Uw vergunning" } })).status).toBe(202)
    const request = (await eventually(async () => sentTo(waId)[0], (s) => s !== undefined))!
    expect(request.body).toMatchObject({ type: "document", document: { id, filename: "vergunning.pdf", caption: "Uw vergunning" } })

    const html = new FormData()
    html.set("file", new File(["<script>"], "x.html", { type: "text/html" }))
    const refused = await fetch(`${url()}/api/v1/media`, { method: "POST", headers: auth, body: html })
    expect(refused.status).toBe(422)
    expect((await refused.json()).error.details[0].path).toBe("file")
  })

  it("sends to a resident known only by a business-scoped user id through `recipient`", async () => {
    const userId = "NL.4242424242"
    await residentWrites(url(), { userId })
    const conversation = await conversationFor(userId)
    expect((await send(conversation.id, { text: "Hallo" })).status).toBe(202)
    const request = (await eventually(async () => sentTo(userId)[0], (s) => s !== undefined))!
    expect(request.body.recipient).toBe(userId)
    expect(request.body.to).toBeUndefined()
  })
})

describe("delivery", () => {
  it("moves statuses forward only and shows Meta's reason when a message fails", async () => {
    const { waId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    const queued = await (await send(conversation.id, { text: "Status?" })).json()
    const sent = await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "sent")
    const status = (status: string, extra: object = {}) =>
      postWebhook(url(), fixtures.webhookBody({ statuses: [fixtures.statusUpdate({ id: sent.providerMessageId, status, recipientId: waId, ...extra })] }))
    await status("read")
    await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "read")
    await status("delivered")
    await status("sent")
    await new Promise((r) => setTimeout(r, 150))
    expect((await messageById(conversation.id, queued.id))!.status).toBe("read")

    const other = await (await send(conversation.id, { text: "Mislukt" })).json()
    const otherSent = await eventually(() => messageById(conversation.id, other.id), (m) => m?.status === "sent")
    await postWebhook(url(), fixtures.webhookBody({ statuses: [fixtures.statusUpdate({ id: otherSent.providerMessageId, status: "failed", recipientId: waId, errors: [fixtures.metaError(131026, "Message undeliverable")] })] }))
    const failed = await eventually(() => messageById(conversation.id, other.id), (m) => m?.status === "failed")
    expect(failed.error).toEqual({ code: 131026, title: "Message undeliverable" })
  })

  it("keeps a status that arrives before the Graph API's answer", async () => {
    const { waId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    ctx.graph.script({ delayMs: 600 })
    const queued = await (await send(conversation.id, { text: "Snel afgeleverd" })).json()
    // Meta's webhook for the send, carrying Loket's id, comes while the HTTP answer is still on its way
    await eventually(async () => ctx.graph.attempts.filter((a) => (a.body as any)?.biz_opaque_callback_data === queued.id).length, (n) => n === 1)
    await postWebhook(url(), fixtures.webhookBody({ statuses: [fixtures.statusUpdate({ id: "wamid.early-delivered", status: "delivered", recipientId: waId, trackingId: queued.id })] }))
    const delivered = await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "delivered")
    expect(delivered.providerMessageId).toBe("wamid.early-delivered")
    await new Promise((r) => setTimeout(r, 800))
    expect((await messageById(conversation.id, queued.id))!.status).toBe("delivered")
  })

  it("retries transient failures with backoff and fails permanent ones with Meta's code", async () => {
    const { waId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    ctx.graph.script({ status: 503 }, { error: 130429 }, { hang: true })
    const retried = await (await send(conversation.id, { text: "Doorzetten" })).json()
    const sent = await eventually(() => messageById(conversation.id, retried.id), (m) => m?.status === "sent", 20_000)
    expect(sent.providerMessageId).toMatch(/^wamid\./)
    expect(ctx.graph.attempts.filter((a) => (a.body as any)?.biz_opaque_callback_data === retried.id).length).toBeGreaterThanOrEqual(3)
    expect(sentTo(waId)).toHaveLength(1)

    ctx.graph.script({ error: 131047, message: "Re-engagement message" })
    const refused = await (await send(conversation.id, { text: "Te laat volgens Meta" })).json()
    const failed = await eventually(() => messageById(conversation.id, refused.id), (m) => m?.status === "failed")
    expect(failed.error.code).toBe(131047)
    await new Promise((r) => setTimeout(r, 1500))
    expect(ctx.graph.attempts.filter((a) => (a.body as any)?.biz_opaque_callback_data === refused.id)).toHaveLength(1)
  }, 30_000)

  it("fails on an expired token and raises an alert for admins", async () => {
    const { waId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    const controller = new AbortController()
    const stream = await fetch(`${url()}/api/v1/events`, { headers: auth, signal: controller.signal })
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader()
    ctx.graph.script({ error: 190, message: "Error validating access token" })
    const message = await (await send(conversation.id, { text: "Token?" })).json()
    let text = ""
    const deadline = Date.now() + 10_000
    while (!text.includes("event: channel.alert") && Date.now() < deadline) text += (await reader.read()).value ?? ""
    controller.abort()
    expect(text).toContain("event: channel.alert")
    expect(text).toContain("WHATSAPP_ACCESS_TOKEN")
    expect(text).not.toContain(ACCESS_TOKEN)
    const failed = await eventually(() => messageById(conversation.id, message.id), (m) => m?.status === "failed")
    expect(failed.error.code).toBe(190)
  })
})

describe("read receipts and templates", () => {
  it("marks the resident's latest message read only when the agent asks", async () => {
    const { waId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    const second = await residentWrites(url(), { waId, body: "Nog iets" })
    await eventually(() => allMessages(url(), conversation.id), (m) => m.length === 2)
    await api(url(), `/conversations/${conversation.id}/messages`)
    await api(url(), `/conversations/${conversation.id}`)
    const before = ctx.graph.reads.length
    expect(before).toBe(ctx.graph.reads.length) // opening the conversation sent nothing
    const res = await fetch(`${url()}/api/v1/conversations/${conversation.id}/read`, { method: "POST", headers: auth })
    expect(res.status).toBe(200)
    expect(ctx.graph.reads.slice(before)).toEqual([{ phoneNumberId: PHONE, body: { messaging_product: "whatsapp", status: "read", message_id: second.providerMessageId } }])
  })

  it("syncs templates at start, follows status webhooks and syncs on request", async () => {
    const list = await eventually(async () => (await api(url(), "/templates")).body.items, (items) => items.length >= 2)
    expect(list.find((t: any) => t.name === "gemeente_follow_up")).toMatchObject({ status: "APPROVED", category: "UTILITY", parameterCounts: { body: 2 } })
    // the webhook's status counts at once, even while the Graph API cannot be asked
    ctx.graph.script({ on: "templates", status: 503 }, { on: "templates", status: 503 })
    await postWebhook(url(), fixtures.templateStatusUpdate({ name: "gemeente_follow_up", language: "nl", event: "PAUSED", time: 1_790_000_000 }))
    await eventually(async () => (await api(url(), "/templates")).body.items.find((t: any) => t.name === "gemeente_follow_up")?.status, (s) => s === "PAUSED")
    const failing = await fetch(`${url()}/api/v1/templates/sync`, { method: "POST", headers: auth })
    expect(failing.status).toBe(502)
    expect((await failing.json()).error.code).toBe("template_sync_failed")
    const sync = await fetch(`${url()}/api/v1/templates/sync`, { method: "POST", headers: auth })
    expect(await sync.json()).toEqual({ status: "synced", count: 2 })
    expect((await api(url(), "/templates")).body.items.find((t: any) => t.name === "gemeente_follow_up").status).toBe("APPROVED")
  })
})

describe("without an access token", () => {
  it("refuses a reply at once instead of queueing it for nothing", async () => {
    const { startGateway, baseEnv, PLAYBOOK_OFF } = await import("../support/gateway.ts")
    const bare = await startGateway(baseEnv(PLAYBOOK_OFF))
    try {
      const { waId } = await residentWrites(bare.url)
      const conversation = await eventually(async () => (await allConversations(bare.url)).find((c) => c.contact.handle === waId), (c) => c !== undefined)
      const res = await fetch(`${bare.url}/api/v1/conversations/${conversation.id}/messages`, {
        method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: "Hallo" })
      })
      expect(res.status).toBe(503)
      expect((await res.json()).error).toMatchObject({ code: "channel_not_configured", message: expect.stringContaining("WHATSAPP_ACCESS_TOKEN") })
      expect(await allMessages(bare.url, conversation.id)).toHaveLength(1)
    } finally {
      await bare.close()
    }
  })
})
