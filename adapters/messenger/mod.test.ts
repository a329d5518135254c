import { ConfigProvider, Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import type { OutboundRequest } from "../../domain/Outbound.ts"
import { INSTAGRAM_PROFILE } from "../instagram/mod.ts"
import { MessengerConfig } from "./config.ts"
import { failureOf, makeMessengerAdapter, MESSENGER_PROFILE, parseMessagingWebhook, toSendApiBody } from "./mod.ts"
import { makeMetaSender } from "./send.ts"
import type { SendApi } from "./send-api.ts"

const read = (env: Record<string, string>) => Effect.runPromise(Effect.result(MessengerConfig.parse(ConfigProvider.fromEnv({ env }))))

const request = (extra: Partial<OutboundRequest> = {}): OutboundRequest => ({
  channelAccountId: "104857600123456", to: { waId: null, userId: "7000000000000001" },
  content: { type: "text", text: "Hallo", previewUrl: false }, replyTo: null, trackingId: "msg_1", ...extra
})

/** A Send API that records what it was given and answers with a message id. */
const recordingApi = () => {
  const bodies: Array<Record<string, unknown>> = []
  const api: SendApi = { post: async (body) => (bodies.push(body), { recipient_id: "7000000000000001", message_id: "m_1" }), upload: async () => ({ attachment_id: "1" }) }
  return { api, bodies }
}

describe("Messenger configuration", () => {
  it("reads the variables, MESSENGER_HUMAN_AGENT off unless true, GRAPH_API_URL shared with WhatsApp", async () => {
    const ok = await read({ META_APP_SECRET: "s", MESSENGER_PAGE_ACCESS_TOKEN: "t", MESSENGER_VERIFY_TOKEN: "v" })
    expect(ok._tag === "Success" && ok.success).toMatchObject({ humanAgent: false, graphApiUrl: "https://graph.facebook.com/v23.0" })
    const on = await read({ MESSENGER_HUMAN_AGENT: "true", GRAPH_API_URL: "https://graph.example/v24.0/" })
    expect(on._tag === "Success" && on.success).toMatchObject({ humanAgent: true, graphApiUrl: "https://graph.example/v24.0" })
    const bad = await read({ MESSENGER_HUMAN_AGENT: "misschien" })
    expect(bad._tag === "Failure" && String(bad.failure)).toContain("MESSENGER_HUMAN_AGENT")
  })

  it("says at start what is missing, and has no sender without the page token", () => {
    const none = { appSecret: undefined, appId: undefined, pageAccessToken: undefined, verifyToken: undefined, humanAgent: false, graphApiUrl: "https://g" }
    expect(makeMessengerAdapter(none).startNotice).toMatch(/^Messenger is off/)
    expect(makeMessengerAdapter(none).sender).toBeUndefined()
    const half = makeMessengerAdapter({ ...none, pageAccessToken: Redacted.make("t") })
    expect(half.startNotice).toContain("META_APP_SECRET (webhooks are refused")
    expect(half.startNotice).toContain("MESSENGER_VERIFY_TOKEN")
    expect(half.startNotice).not.toContain("MESSENGER_PAGE_ACCESS_TOKEN (")
    expect(makeMessengerAdapter({ ...none, pageAccessToken: Redacted.make("t"), verifyToken: Redacted.make("v"), appSecret: Redacted.make("s") }).startNotice).toBeNull()
  })
})

describe("the Send API sender", () => {
  it("refuses a tagged send Loket wrote itself, a tag Meta retired, and HUMAN_AGENT without the permission, without calling Meta", async () => {
    const { api, bodies } = recordingApi()
    const enabled = makeMetaSender(MESSENGER_PROFILE, api, true)
    await expect(enabled.send(request({ tag: "HUMAN_AGENT", automated: true }))).rejects.toMatchObject({ retryable: false, code: "tag_not_for_automated" })
    await expect(enabled.send(request({ tag: "CONFIRMED_EVENT_UPDATE" }))).rejects.toMatchObject({ retryable: false, code: "tag_not_offered" })
    const disabled = makeMetaSender(MESSENGER_PROFILE, api, false)
    await expect(disabled.send(request({ tag: "HUMAN_AGENT" }))).rejects.toMatchObject({ code: "human_agent_not_enabled", title: expect.stringContaining("MESSENGER_HUMAN_AGENT=true") })
    expect(bodies).toHaveLength(0)
    expect(await enabled.send(request({ tag: "HUMAN_AGENT" }))).toEqual({ providerMessageId: "m_1" })
    expect(bodies[0]).toMatchObject({ messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT" })
    // An automatic reply inside the window carries no tag and goes out.
    expect(await enabled.send(request({ automated: true }))).toEqual({ providerMessageId: "m_1" })
    expect(bodies[1]).toMatchObject({ messaging_type: "RESPONSE" })
  })

  it("builds attachments by uploaded id, and sets metadata on Messenger only", () => {
    const doc = request({ content: { type: "document", media: { id: "1857777774821032" } } })
    expect(toSendApiBody(MESSENGER_PROFILE, doc)).toEqual({
      recipient: { id: "7000000000000001" }, messaging_type: "RESPONSE",
      message: { attachment: { type: "file", payload: { attachment_id: "1857777774821032" } }, metadata: "loket:msg_1" }
    })
    expect(toSendApiBody(INSTAGRAM_PROFILE, request())).toEqual({ recipient: { id: "7000000000000001" }, messaging_type: "RESPONSE", message: { text: "Hallo" } })
    expect(() => toSendApiBody(MESSENGER_PROFILE, request({ to: { waId: "31612345678", userId: null } }))).toThrow("no Messenger id")
  })

  it("reads Meta's error codes as retryable or final, without Meta's message (it may quote the text)", () => {
    const err = (status: number, code: number, subcode?: number) =>
      failureOf(status, { error: { message: "Bericht 'mijn BSN is 123' mislukt", type: "OAuthException", code, ...(subcode === undefined ? {} : { error_subcode: subcode }) } })
    for (const code of [1, 2, 4, 17, 32, 613]) expect(err(400, code)).toMatchObject({ retryable: true, code })
    expect(failureOf(503, undefined)).toMatchObject({ retryable: true, code: 503 })
    for (const code of [10, 100, 200, 551]) expect(err(400, code)).toMatchObject({ retryable: false, code, tokenExpired: false })
    expect(err(401, 190)).toMatchObject({ retryable: false, tokenExpired: true })
    expect(err(400, 10, 2018278)).toMatchObject({ retryable: false, code: 10, title: expect.stringContaining("window closed") })
    expect(JSON.stringify(err(400, 100))).not.toContain("BSN")
  })
})

describe("parseMessagingWebhook", () => {
  it("parks what it cannot read instead of throwing, and never puts resident data in the reason", () => {
    const page = (items: Array<unknown>) => ({ object: "page", entry: [{ id: "1", time: 1, messaging: items }] })
    const cases: Array<unknown> = [
      null, [], "x", { object: "page" },
      page([{ sender: { id: "12" }, recipient: { id: "1" }, timestamp: 1, message: { text: "geheim 0612345678" } }]),
      page([{ recipient: { id: "1" }, timestamp: 1, message: { mid: "m_1", text: "geheim 0612345678" } }]),
      page([{ sender: { id: "12" }, recipient: { id: "1" }, message: { mid: "m_1", text: "geheim 0612345678" } }]),
      page([{ sender: { id: "12" }, recipient: { id: "1" }, timestamp: 1, message: { mid: "m_1", attachments: [{ type: "image", payload: {} }] } }])
    ]
    for (const body of cases) {
      const parsed = parseMessagingWebhook(MESSENGER_PROFILE, body)
      expect(parsed.events).toHaveLength(0)
      expect(parsed.rejected.length).toBe(1)
      expect(parsed.rejected[0]!.reason).not.toContain("0612345678")
    }
  })

  it("reads delivery and read watermarks as statuses for everything up to then, and the mids delivered", () => {
    const body = {
      object: "page",
      entry: [{ id: "1", time: 1, messaging: [
        { sender: { id: "12" }, recipient: { id: "1" }, timestamp: 1_700_000_000_000, delivery: { mids: ["m_a"], watermark: 1_700_000_000_000 } },
        { sender: { id: "12" }, recipient: { id: "1" }, timestamp: 1_700_000_001_000, read: { watermark: 1_700_000_001_000 } }
      ] }]
    }
    const events = parseMessagingWebhook(MESSENGER_PROFILE, body).events
    expect(events.map((e) => e.kind === "status" && [e.status, e.providerMessageId, e.upTo ?? null])).toEqual([
      ["delivered", "m_a", null],
      ["delivered", "", "2023-11-14T22:13:20.000Z"],
      ["read", "", "2023-11-14T22:13:21.000Z"]
    ])
    expect(new Set(events.map((e) => e.key)).size).toBe(3)
  })
})
