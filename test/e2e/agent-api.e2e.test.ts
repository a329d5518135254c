/** The agent API's read side: auth, filters, cursors, the SSE stream, the OpenAPI document, health. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { auth, eventually, startGateway, type TestGateway } from "../support/gateway.ts"
import { allMessages, api, fixtures, postWebhook } from "../support/whatsapp.ts"

let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway()
})
afterAll(() => gw.close())

const say = (from: string, body: string, timestamp: number) =>
  postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from })], messages: [fixtures.textMessage({ from, body, timestamp: String(timestamp) })] }))

/** Reads an SSE stream until `count` events have come. */
async function readEvents(count: number, during: () => Promise<unknown>): Promise<Array<{ event: string; id: string; data: any }>> {
  const controller = new AbortController()
  const res = await fetch(`${gw.url}/api/v1/events`, { headers: auth, signal: controller.signal })
  expect(res.status).toBe(200)
  expect(res.headers.get("content-type")).toContain("text/event-stream")
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  const events: Array<{ event: string; id: string; data: any }> = []
  let buffer = ""
  await during()
  const timeout = setTimeout(() => controller.abort(), 10_000)
  try {
    while (events.length < count) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += value
      let cut: number
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut)
        buffer = buffer.slice(cut + 2)
        const field = (name: string) => block.split("\n").find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim()
        const data = field("data")
        if (data !== undefined) events.push({ event: field("event") ?? "message", id: field("id") ?? "", data: JSON.parse(data) })
      }
    }
  } finally {
    clearTimeout(timeout)
    controller.abort()
  }
  return events
}

describe("agent API", () => {
  it("answers 401 with a JSON error without a valid token", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong" }] as Array<Record<string, string>>) {
      const res = await fetch(`${gw.url}/api/v1/conversations`, { headers })
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } })
    }
  })

  it("streams message.created and conversation.updated with the full resources", async () => {
    const events = await readEvents(2, () => say("31690000001", "Live!", 1_770_000_000))
    expect(events.map((e) => e.event)).toEqual(["message.created", "conversation.updated"])
    expect(events[0]!.data).toMatchObject({ direction: "inbound", type: "text", text: "Live!", status: "received" })
    expect(events[1]!.data).toMatchObject({ id: events[0]!.data.conversationId, contact: { handle: "31690000001" }, status: "open" })
    expect(Number(events[1]!.id)).toBeGreaterThan(Number(events[0]!.id))
  })

  it("lists conversations newest activity first, page by page, with filters", async () => {
    for (let i = 0; i < 5; i++) await say(`3169100000${i}`, `bericht ${i}`, 1_780_000_000 + i)
    await eventually(() => api(gw.url, "/conversations?limit=200"), (r) => r.body.items.filter((c: any) => c.contact.handle.startsWith("316910")).length === 5)

    const handles: Array<string> = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: any = await api(gw.url, `/conversations?limit=2${cursor ? `&cursor=${cursor}` : ""}`)
      expect(page.body.items.length).toBeLessThanOrEqual(2)
      handles.push(...page.body.items.map((c: any) => c.contact.handle))
      cursor = page.body.nextCursor
      pages++
    } while (cursor !== null)
    const mine = handles.filter((h) => h.startsWith("316910"))
    expect(mine).toEqual(["31691000004", "31691000003", "31691000002", "31691000001", "31691000000"])
    expect(new Set(handles).size).toBe(handles.length)
    expect(pages).toBeGreaterThanOrEqual(3)

    expect((await api(gw.url, "/conversations?status=closed")).body.items).toEqual([])
    expect((await api(gw.url, "/conversations?channel=telegram")).body.items).toEqual([])
  })

  it("lists messages oldest first, even when Meta delivered them out of order", async () => {
    const from = "31692000000"
    await say(from, "tweede", 1_790_000_002)
    await say(from, "eerste", 1_790_000_001)
    await say(from, "derde", 1_790_000_003)
    const conversation = await eventually(async () => (await api(gw.url, "/conversations?limit=200")).body.items.find((c: any) => c.contact.handle === from), (c) => c !== undefined)
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (m) => m.length === 3)
    expect(messages.map((m) => m.text)).toEqual(["eerste", "tweede", "derde"])
    const first = await api(gw.url, `/conversations/${conversation.id}/messages?limit=1`)
    expect(first.body.items.map((m: any) => m.text)).toEqual(["eerste"])
    const second = await api(gw.url, `/conversations/${conversation.id}/messages?limit=1&cursor=${first.body.nextCursor}`)
    expect(second.body.items.map((m: any) => m.text)).toEqual(["tweede"])
  })

  it("names the field of a bad query, a bad cursor and an unknown id", async () => {
    const limit = await api(gw.url, "/conversations?limit=1000")
    expect(limit.status).toBe(400)
    expect(limit.body.error.code).toBe("invalid_query")
    expect(limit.body.error.details[0]).toMatchObject({ path: "limit", message: expect.stringContaining("200") })
    const status = await api(gw.url, "/conversations?status=pending")
    expect(status.body.error.details[0].path).toBe("status")
    const cursor = await api(gw.url, "/conversations?cursor=bm9wZQ")
    expect(cursor.status).toBe(400)
    expect(cursor.body.error.code).toBe("invalid_cursor")
    const missing = await api(gw.url, "/conversations/cnv_unknown")
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe("conversation_not_found")
    expect((await api(gw.url, "/conversations/cnv_unknown/messages")).status).toBe(404)
  })

  it("publishes an OpenAPI document generated from the request and answer schemas", async () => {
    const res = await fetch(`${gw.url}/api/v1/openapi.json`)
    expect(res.status).toBe(200)
    const doc = await res.json()
    expect(doc.openapi).toBe("3.1.0")
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/conversations", "/api/v1/conversations/{id}", "/api/v1/conversations/{id}/messages", "/api/v1/events"]))
    const params = doc.paths["/api/v1/conversations"].get.parameters.map((p: any) => p.name)
    expect(params).toEqual(["status", "channel", "team", "assignee", "q", "limit", "cursor"])
    expect(doc.components.schemas.Message.properties.type.enum).toContain("reaction")
    const send = doc.paths["/api/v1/conversations/{id}/messages"].post
    expect(send.requestBody.content["application/json"].schema.oneOf.map((s: any) => s.$ref)).toEqual([
      "#/components/schemas/SendText", "#/components/schemas/SendTemplate", "#/components/schemas/SendMedia",
      "#/components/schemas/SendInteractive", "#/components/schemas/SendReaction"
    ])
    expect(doc.components.schemas.SendText.required).toContain("text")
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/conversations/{id}/read", "/api/v1/templates", "/api/v1/media"]))
    expect(doc.components.schemas.Conversation.required).toEqual(expect.arrayContaining(["id", "channel", "contact", "windowExpiresAt"]))
  })

  it("answers /healthz and /readyz", async () => {
    expect(await (await fetch(`${gw.url}/healthz`)).json()).toEqual({ status: "ok" })
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200)
    const unknown = await fetch(`${gw.url}/nope`)
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).error.code).toBe("not_found")
  })
})
