/**
 * The playbook end to end over real HTTP, on the real clock: signed webhooks in, Loket's own
 * replies out through the outbox to the Graph API stand-in (which checks Meta's request format).
 * Office hours are set through PATCH /api/v1/settings so that it is closed now (and, for the
 * follow-up, opens a minute or two from now).
 */
import { join } from "node:path"
import Database from "better-sqlite3"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { APP_SECRET, auth, type ChildGateway, eventually, startChildGateway, tempDir } from "../support/gateway.ts"
import { startGraphStandIn } from "../support/graph-stand-in.ts"
import { residentWrites, startOutboundGateway } from "../support/outbound.ts"
import { allConversations, allMessages, api, fixtures, postWebhook } from "../support/whatsapp.ts"
import { FOLLOW_UP, FOLLOW_UP_REQUEST_TEMPLATE, FOLLOW_UP_TEMPLATE, local, openingSoon, patchSettings as patch_, TZ } from "../support/playbook.ts"

const patchSettings = async (url: string, patch: unknown) => {
  const res = await patch_(url, patch)
  expect(res.status, await res.clone().text()).toBe(200)
  return res.json()
}

describe("out-of-hours reply under concurrent messages", () => {
  let ctx: Awaited<ReturnType<typeof startOutboundGateway>>
  beforeAll(async () => {
    ctx = await startOutboundGateway({}, { playbook: true })
  })
  afterAll(() => ctx.close())
  afterEach(() => ctx.graph.assertValid())

  it("50 messages at once from one resident while closed: one reply, sent once, naming the next opening", async () => {
    const today = local(Date.now()).date
    await patchSettings(ctx.gw.url, { officeHours: { overrides: { [today]: [] } } })
    const waId = "31687654321"
    const now = Math.floor(Date.now() / 1000)
    const statuses = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      postWebhook(ctx.gw.url, fixtures.webhookBody({
        contacts: [fixtures.contact({ waId })],
        messages: [fixtures.textMessage({ from: waId, body: `Vraag ${i}`, timestamp: String(now) })]
      })).then((res) => res.status)
    ))
    expect(statuses.every((s) => s === 200)).toBe(true)
    const conversation = await eventually(async () => (await allConversations(ctx.gw.url)).find((c) => c.contact.handle === waId), (c) => c !== undefined)
    const messages = await eventually(() => allMessages(ctx.gw.url, conversation.id), (m) => m.filter((x) => x.direction === "inbound").length === 50 && m.some((x) => x.flags.includes("auto") && x.status === "sent"))
    const auto = messages.filter((m) => m.direction === "outbound")
    expect(auto).toHaveLength(1)
    expect(auto[0]).toMatchObject({ type: "text", author: "loket", flags: ["auto", "auto:out-of-hours"] })
    expect(auto[0].text).toMatch(/^Bedankt voor uw bericht\. We zijn nu gesloten\. We lezen uw bericht als we weer open zijn: (morgen|\S+ \d+ \S+) om \d\d:\d\d\.$/)
    const sent = ctx.graph.sent.filter((s) => s.body.to === waId)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.body).toMatchObject({ messaging_product: "whatsapp", to: waId, type: "text", text: { body: auto[0].text } })
    // Loket's reply is no agent's answer: the resident waits, first in the queue, since the first message.
    const after = (await api(ctx.gw.url, `/conversations/${conversation.id}`)).body
    expect(after.waitingSince).toBe(new Date(now * 1000).toISOString())
  }, 60_000)

  it("the queue (GET /api/v1/queue) puts who waits longest first; an agent's answer takes a conversation out, Loket's own replies do not", async () => {
    const now = Math.floor(Date.now() / 1000)
    const early = await residentWrites(ctx.gw.url, { timestamp: now - 600, body: "Al tien minuten geleden" })
    const late = await residentWrites(ctx.gw.url, { timestamp: now - 60, body: "Net" })
    const queue = async () => ((await api(ctx.gw.url, "/queue?limit=200")).body.items as Array<any>).map((c) => c.contact.handle)
    const waiting = await eventually(queue, (q) => q.includes(early.waId) && q.includes(late.waId))
    expect(waiting.indexOf(early.waId)).toBeLessThan(waiting.indexOf(late.waId))
    const conversation = (await allConversations(ctx.gw.url)).find((c) => c.contact.handle === early.waId)
    const answer = await fetch(`${ctx.gw.url}/api/v1/conversations/${conversation.id}/messages`, {
      method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: "We zoeken het uit." })
    })
    expect(answer.status).toBe(202)
    const after = await queue()
    expect(after).not.toContain(early.waId)
    expect(after).toContain(late.waId)
    const page = await api(ctx.gw.url, "/queue?limit=1")
    expect(page.body.nextCursor).toEqual(expect.any(String))
    const bad = await api(ctx.gw.url, "/queue?limit=0")
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({ code: "invalid_query", details: [{ path: "limit" }] })
  })
})

describe("the follow-up survives kill -9", () => {
  const children: Array<ChildGateway> = []
  afterAll(async () => {
    for (const child of children) if (child.child.exitCode === null) await child.kill()
  })

  it("a resident who wrote while closed gets the reply, then after a crash and a restart past the opening the follow-up template, once; its quick reply reopens the window", async () => {
    const token = "playbook-token"
    const standIn = await startGraphStandIn({ accessToken: token, wabaId: fixtures.DEFAULT_WABA_ID })
    try {
      standIn.templates([FOLLOW_UP_TEMPLATE])
      const file = join(tempDir(), "loket.db")
      const env = {
        DATABASE_URL: `file:${file}`, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: "test-admin-token", LOKET_TIMEZONE: TZ,
        GRAPH_API_URL: standIn.url, WHATSAPP_ACCESS_TOKEN: token, WHATSAPP_BUSINESS_ACCOUNT_ID: fixtures.DEFAULT_WABA_ID,
        WHATSAPP_PHONE_NUMBER_ID: fixtures.DEFAULT_PHONE_NUMBER_ID
      }
      const first = await startChildGateway(env)
      children.push(first)
      await eventually(async () => (await api(first.url, "/templates")).body.items, (items: Array<any>) => items.some((t) => t.name === "loket_follow_up"))

      // Closed now; open from the minute after next (60–120 s away) until the end of that day.
      const { opening, overrides } = openingSoon()
      const open = local(opening)
      await patchSettings(first.url, { officeHours: { overrides }, followUp: FOLLOW_UP })

      // The resident wrote 23 h 59 min 30 s ago by Meta's clock: the window is open for the reply, closed by the opening.
      const waId = "31699887766"
      const wrote = Math.floor(Date.now() / 1000) - 24 * 3600 + 30
      await residentWrites(first.url, { waId, timestamp: wrote, body: "Mijn paspoort is kwijt" })
      const reply = await eventually(async () => standIn.sent.filter((s) => s.body.to === waId), (sent) => sent.length === 1, 20_000)
      expect(reply[0]!.body).toMatchObject({ type: "text", text: { body: expect.stringContaining(`om ${open.time}`) } })

      await first.kill()
      const timers = () => {
        const db = new Database(file, { readonly: true })
        try {
          return db.prepare("select kind, due_at as dueAt, state, outcome from timers").all() as Array<{ kind: string; dueAt: string; state: string; outcome: string | null }>
        } finally {
          db.close()
        }
      }
      expect(timers()).toEqual([{ kind: "follow-up", dueAt: new Date(opening).toISOString(), state: "pending", outcome: null }])

      // Loket is down at the opening; it fires the missed timer as soon as it is back.
      await eventually(async () => Date.now(), (now) => now > opening + 1000, 150_000)
      const second = await startChildGateway(env)
      children.push(second)
      const templates = await eventually(async () => standIn.sent.filter((s) => s.body.to === waId && s.body.type === "template"), (sent) => sent.length >= 1, 30_000)
      expect(templates[0]!.body).toEqual({
        messaging_product: "whatsapp", recipient_type: "individual", to: waId, type: "template",
        template: FOLLOW_UP_REQUEST_TEMPLATE,
        biz_opaque_callback_data: expect.any(String)
      })
      expect(standIn.problems).toEqual([])
      expect(timers()).toMatchObject([{ kind: "follow-up", state: "fired", outcome: "template sent" }])

      // Killed again and restarted: the fired timer stays fired, the template is not sent again.
      await second.kill()
      const third = await startChildGateway(env)
      children.push(third)
      const conversation = await eventually(async () => (await allConversations(third.url)).find((c) => c.contact.handle === waId), (c) => c !== undefined)
      expect(conversation.windowExpiresAt < new Date().toISOString()).toBe(true)

      // The resident taps "Ja, graag": the window is open again and an agent answers in free text.
      await postWebhook(third.url, fixtures.webhookBody({
        contacts: [fixtures.contact({ waId })],
        messages: [fixtures.quickReplyMessage({ from: waId, payload: "loket:follow-up:0", text: "Ja, graag", timestamp: String(Math.floor(Date.now() / 1000)) })]
      }))
      await eventually(async () => (await api(third.url, `/conversations/${conversation.id}`)).body.windowExpiresAt, (w) => w > new Date().toISOString())
      const answer = await fetch(`${third.url}/api/v1/conversations/${conversation.id}/messages`, {
        method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: "Goedemorgen, waarmee kunnen we helpen?" })
      })
      expect(answer.status).toBe(202)
      await eventually(async () => standIn.sent.filter((s) => s.body.to === waId).length, (n) => n === 3)
      expect(standIn.sent.filter((s) => s.body.to === waId).map((s) => s.body.type)).toEqual(["text", "template", "text"])
      const messages = await allMessages(third.url, conversation.id)
      expect(messages.map((m) => [m.direction, m.author ?? null, m.type])).toEqual([
        ["inbound", null, "text"], ["outbound", "loket", "text"], ["outbound", "loket", "template"], ["inbound", null, "button"], ["outbound", "LOKET_ADMIN_TOKEN", "text"]
      ])
      await third.kill()
    } finally {
      await standIn.close()
    }
  }, 300_000)
})
