import { http, HttpResponse } from "msw"
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import type { OutboundContent, OutboundRequest } from "../../../domain/Outbound.ts"
import { graphMessagesMock, type ScriptedAnswer } from "../../../test/msw/graph-messages.ts"
import { GraphSendError, makeGraphSendClient } from "./graph-client.ts"

const GRAPH = "http://127.0.0.1:9/v23.0"
const TOKEN = "EAAG-send-test-token-0123456789"
const PHONE_ID = "106540352242922"
const WABA = "102290129340398"
const WAMID = "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQTdCRDI0RkM1QjQ3RTk0OEYwMQA="
const mock = graphMessagesMock({ graphApiUrl: GRAPH, accessToken: TOKEN, phoneNumberIds: [PHONE_ID], wabaId: WABA })
const elsewhere: Array<string | null> = []
const server = setupServer(
  ...mock.handlers,
  http.all("https://evil.example/*", ({ request }) => {
    elsewhere.push(request.headers.get("authorization"))
    return HttpResponse.json({ data: [] })
  })
)

const client = (timeoutMs = 2_000) => makeGraphSendClient({ graphApiUrl: GRAPH, accessToken: TOKEN, timeoutMs })
const req = (content: OutboundContent, extra: Partial<OutboundRequest> = {}): OutboundRequest => ({
  channelAccountId: PHONE_ID,
  to: { waId: "31612345678", userId: null },
  content,
  trackingId: "out_7f3a",
  ...extra
})
const secretText = "Uw BSN 123456782 staat in het dossier"
const text = req({ type: "text", text: secretText, previewUrl: false })

/** The rejection of a send, as a GraphSendError. */
async function failure(promise: Promise<unknown>): Promise<GraphSendError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(GraphSendError)
  const e = error as GraphSendError
  expect(e._tag).toBe("GraphSendError")
  expect(`${e.title} ${e.details ?? ""} ${e.message}`).not.toContain(TOKEN)
  expect(`${e.title} ${e.details ?? ""}`).not.toContain(secretText)
  return e
}

beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => {
  mock.assertValid()
  mock.reset()
  elsewhere.length = 0
})
afterAll(() => server.close())

describe("send", () => {
  it("posts Meta's body and returns the wamid", async () => {
    const { providerMessageId } = await client().send(text)
    expect(providerMessageId).toMatch(/^wamid\./)
    expect(mock.sent).toEqual([{
      phoneNumberId: PHONE_ID,
      wamid: providerMessageId,
      receivedAt: expect.any(Number),
      body: { messaging_product: "whatsapp", recipient_type: "individual", to: "31612345678", type: "text", text: { body: secretText, preview_url: false }, biz_opaque_callback_data: "out_7f3a" }
    }])
  })

  it("sends every content type in a shape the mock accepts", async () => {
    const contents: Array<OutboundContent> = [
      { type: "template", template: { name: "afspraak", language: "nl", components: [{ type: "body", parameters: [{ type: "text", text: "Sanne" }] }] } },
      { type: "image", media: { id: "1001", caption: "Kaart" } },
      { type: "video", media: { link: "https://gemeente.example/v.mp4" } },
      { type: "audio", media: { id: "1002" } },
      { type: "document", media: { id: "1003", filename: "brief.pdf", caption: "Uw brief" } },
      { type: "sticker", media: { id: "1004" } },
      { type: "interactive", interactive: { type: "button", body: "Klopt dit?", buttons: [{ id: "ja", title: "Ja" }, { id: "nee", title: "Nee" }] } },
      { type: "interactive", interactive: { type: "list", body: "Kies", button: "Onderwerpen", sections: [{ rows: [{ id: "a", title: "Afval" }] }] } },
      { type: "reaction", reaction: { messageId: WAMID, emoji: "🙏" } }
    ]
    for (const content of contents) await client().send(req(content))
    expect(mock.sent.map((s) => s.body.type)).toEqual(["template", "image", "video", "audio", "document", "sticker", "interactive", "interactive", "reaction"])
    expect(new Set(mock.sent.map((s) => s.wamid)).size).toBe(contents.length)
  })

  it("addresses a BSUID-only resident with recipient, and quotes with context", async () => {
    await client().send(req({ type: "text", text: "Hoi", previewUrl: false }, { to: { waId: null, userId: "NL.1349120865" }, replyTo: WAMID }))
    expect(mock.sent[0]?.body).toMatchObject({ recipient: "NL.1349120865", context: { message_id: WAMID } })
    expect(mock.sent[0]?.body).not.toHaveProperty("to")
  })

  it("refuses a resident without any id before calling Meta", async () => {
    const e = await failure(client().send(req({ type: "text", text: "x", previewUrl: false }, { to: { waId: null, userId: null } })))
    expect(e).toMatchObject({ code: "no_recipient", retryable: false })
    expect(mock.attempts).toEqual([])
  })
})

describe("send errors", () => {
  const cases: Array<[string, ScriptedAnswer, Partial<GraphSendError>]> = [
    ["HTTP 503 without a body", { status: 503 }, { retryable: true, code: "unreadable_answer", httpStatus: 503 }],
    ["HTTP 500 with an unknown code", { status: 500, error: 987654 }, { retryable: true, code: 987654, httpStatus: 500 }],
    ["HTTP 429", { status: 429, retryAfter: 3 }, { retryable: true, httpStatus: 429, retryAfterMs: 3000 }],
    ["130429 throughput", { error: 130429 }, { retryable: true, code: 130429, httpStatus: 400 }],
    ["131056 pair rate", { error: 131056 }, { retryable: true, code: 131056, retryAfterMs: 6000 }],
    ["131000 something went wrong", { error: 131000 }, { retryable: true, code: 131000 }],
    ["131016 service unavailable", { error: 131016 }, { retryable: true, code: 131016 }],
    ["131057 maintenance", { error: 131057 }, { retryable: true, code: 131057 }],
    ["is_transient on an unknown code", { error: 2388001, isTransient: true }, { retryable: true, code: 2388001 }],
    ["131047 re-engagement", { error: 131047 }, { retryable: false, code: 131047, tokenExpired: false }],
    ["131026 undeliverable", { error: 131026 }, { retryable: false, code: 131026 }],
    ["131051 unsupported type", { error: 131051 }, { retryable: false, code: 131051 }],
    ["131053 media upload", { error: 131053 }, { retryable: false, code: 131053 }],
    ["132000 parameter count", { error: 132000 }, { retryable: false, code: 132000 }],
    ["132015 template paused", { error: 132015, message: "(#132015) Template is paused" }, { retryable: false, code: 132015 }],
    ["100 invalid parameter", { error: 100 }, { retryable: false, code: 100, httpStatus: 400 }],
    ["131062 BSUID not supported", { error: 131062 }, { retryable: false, code: 131062 }],
    ["190 token expired", { error: 190 }, { retryable: false, code: 190, tokenExpired: true, httpStatus: 401 }],
    ["an unknown code with 4xx", { status: 403, error: 200 }, { retryable: false, code: 200 }],
    ["an unreadable 4xx", { status: 404 }, { retryable: false, code: "unreadable_answer", httpStatus: 404 }]
  ]
  it.each(cases)("%s", async (_, answer, expected) => {
    mock.script(answer)
    const e = await failure(client().send(text))
    expect(e).toMatchObject(expected)
    expect(e.title.length).toBeGreaterThan(10)
  })

  it("keeps Meta's details but scrubs the message text and the token from them", async () => {
    mock.script({ error: 100, message: `(#100) Param text['body'] is invalid: '${secretText}' for ${TOKEN}` })
    const e = await failure(client().send(text))
    expect(e.title).toContain("[redacted]")
    expect(e.fbtraceId).toMatch(/^A/)
  })

  it("times out a hanging Graph API (retryable)", async () => {
    mock.script({ hang: true })
    const started = Date.now()
    const e = await failure(client(200).send(text))
    expect(e).toMatchObject({ code: "timeout", retryable: true, httpStatus: null })
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it("waits for a slow answer within the deadline, then the script is used up", async () => {
    mock.script({ delayMs: 100 }, { error: 131047 })
    await expect(client().send(text)).resolves.toHaveProperty("providerMessageId")
    await failure(client().send(text))
    await expect(client().send(text)).resolves.toHaveProperty("providerMessageId")
    expect(mock.attempts.map((a) => a.status)).toEqual([200, 400, 200])
  })

  it("network failures are retryable", async () => {
    const broken = makeGraphSendClient({ graphApiUrl: GRAPH, accessToken: TOKEN, fetch: async () => { throw new TypeError("fetch failed") } })
    expect(await failure(broken.send(text))).toMatchObject({ code: "network", retryable: true })
  })

  it("a 200 without a message id is permanent (the message may have gone out)", async () => {
    const odd = makeGraphSendClient({ graphApiUrl: GRAPH, accessToken: TOKEN, fetch: async () => Response.json({ messaging_product: "whatsapp" }) })
    expect(await failure(odd.send(text))).toMatchObject({ code: "unreadable_answer", retryable: false, httpStatus: 200 })
  })
})

describe("markRead", () => {
  it("posts a read receipt, with the typing indicator when asked", async () => {
    await client().markRead(PHONE_ID, WAMID)
    await client().markRead(PHONE_ID, WAMID, { typing: true })
    expect(mock.reads.map((r) => r.body)).toEqual([
      { messaging_product: "whatsapp", status: "read", message_id: WAMID },
      { messaging_product: "whatsapp", status: "read", message_id: WAMID, typing_indicator: { type: "text" } }
    ])
  })

  it("fails like a send", async () => {
    mock.script({ on: "read", error: 190 })
    expect(await failure(client().markRead(PHONE_ID, WAMID))).toMatchObject({ tokenExpired: true })
  })
})

describe("listTemplates", () => {
  const many = Array.from({ length: 230 }, (_, i) => ({
    name: `sjabloon_${i}`,
    language: i % 2 === 0 ? "nl" : "en_US",
    components: [
      { type: "HEADER", format: "TEXT", text: "Beste {{1}}" },
      { type: "BODY", text: "Uw afspraak op {{1}} om {{2}} ({{1}})." },
      { type: "FOOTER", text: "Gemeente" },
      { type: "BUTTONS", buttons: [{ type: "URL", text: "Bekijk", url: "https://gemeente.example/afspraak/{{1}}" }, { type: "QUICK_REPLY", text: "Afmelden" }] }
    ]
  }))

  it("reads every page (3 pages of 100) with the fields asked for", async () => {
    mock.templates(many)
    const urls: Array<string> = []
    const counting = makeGraphSendClient({
      graphApiUrl: GRAPH, accessToken: TOKEN,
      fetch: (input, init) => {
        urls.push(String(input))
        return fetch(input, init)
      }
    })
    const list = await counting.listTemplates(WABA)
    expect(urls).toHaveLength(3)
    expect(urls[0]).toBe(`${GRAPH}/${WABA}/message_templates?limit=100&fields=name%2Clanguage%2Cstatus%2Ccategory%2Ccomponents%2Cid`)
    expect(list).toHaveLength(230)
    expect(list[0]).toMatchObject({ name: "sjabloon_0", language: "nl", status: "APPROVED", category: "UTILITY", parameterCounts: { header: 1, body: 2, buttons: 1 } })
    expect(new Set(list.map((t) => t.name)).size).toBe(230)
  })

  it("does not follow a next page to another host (the token stays home)", async () => {
    const hostile = makeGraphSendClient({
      graphApiUrl: GRAPH, accessToken: TOKEN,
      fetch: async () => Response.json({ data: [], paging: { next: "https://evil.example/v23.0/x/message_templates?after=1" } })
    })
    expect(await failure(hostile.listTemplates(WABA))).toMatchObject({ code: "paging_refused", retryable: false })
    expect(elsewhere).toEqual([])
  })

  it("stops after maxTemplatePages and on a repeated page", async () => {
    const looping = (next: (n: number) => string, maxTemplatePages?: number) => {
      let n = 0
      return makeGraphSendClient({
        graphApiUrl: GRAPH, accessToken: TOKEN, ...(maxTemplatePages === undefined ? {} : { maxTemplatePages }),
        fetch: async () => Response.json({ data: [{ name: "x", language: "nl", status: "APPROVED" }], paging: { next: next(++n) } })
      })
    }
    expect(await failure(looping((n) => `${GRAPH}/${WABA}/message_templates?after=${n}`, 3).listTemplates(WABA))).toMatchObject({ code: "too_many_pages" })
    expect(await failure(looping(() => `https://graph.facebook.com/v23.0/${WABA}/message_templates?after=same`).listTemplates(WABA))).toMatchObject({ code: "paging_refused" })
  })

  it("fails like a send", async () => {
    mock.script({ on: "templates", status: 500, error: 1 })
    expect(await failure(client().listTemplates(WABA))).toMatchObject({ retryable: true, code: 1 })
  })
})

describe("uploadMedia", () => {
  it("uploads multipart/form-data and returns the media id", async () => {
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 1, 2, 3])
    const { id } = await client().uploadMedia(PHONE_ID, { bytes, mimeType: "application/pdf", filename: "brief.pdf" })
    expect(id).toMatch(/^\d+$/)
    expect(mock.uploads).toEqual([{ phoneNumberId: PHONE_ID, type: "application/pdf", filename: "brief.pdf", bytes }])
  })

  it("fails like a send", async () => {
    mock.script({ on: "upload", error: 131053 })
    expect(await failure(client().uploadMedia(PHONE_ID, { bytes: new Uint8Array([1]), mimeType: "image/png", filename: "a.png" }))).toMatchObject({ retryable: false, code: 131053 })
  })
})

describe("the mock refuses what Meta refuses", () => {
  it("records a wrong token, a bad body and an unknown number, and answers like Meta", async () => {
    const post = (path: string, body: unknown, token = TOKEN) =>
      fetch(`${GRAPH}/${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) })
    const good = { messaging_product: "whatsapp", recipient_type: "individual", to: "31612345678", type: "text", text: { body: "x" } }
    expect((await post(`${PHONE_ID}/messages`, good, "wrong")).status).toBe(401)
    const bad = await post(`${PHONE_ID}/messages`, { ...good, type: "image" })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { code: 100, type: "OAuthException" } })
    expect((await post("999/messages", good)).status).toBe(400)
    expect((await post(`${PHONE_ID}/messages`, { messaging_product: "whatsapp", status: "read", message_id: "123" })).status).toBe(400)
    expect(mock.problems).toHaveLength(5)
    expect(() => mock.assertValid()).toThrow(/wrong Authorization header[\s\S]*no image object[\s\S]*999[\s\S]*message_id must be a wamid/)
    expect(mock.sent).toEqual([])
    mock.reset()
  })
})
