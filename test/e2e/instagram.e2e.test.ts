/**
 * Instagram end to end, over real HTTP on loopback, for a professional account on its own
 * (Instagram Login, graph.instagram.com): a signed `instagram` webhook → conversation → an
 * agent's reply → the Send API request (msw, Meta's format) → sent and read; story replies,
 * mentions and unsent messages; the heart as a reaction; echoes; the window and HUMAN_AGENT.
 */
import { Effect } from "effect"
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { Conversations } from "../../actors/Conversations.ts"
import { instagramSendApiMock } from "../msw/messenger.ts"
import { auth, baseEnv, eventually, startGateway, type TestGateway, PLAYBOOK_OFF } from "../support/gateway.ts"
import {
  echoTo, fromResident, IG_ACCOUNT_ID, IG_GRAPH, IG_TOKEN, INSTAGRAM_VERIFY, instagramEnv, mid, newResidentId, postMeta, webhook
} from "../support/meta-messaging.ts"
import { allConversations, allMessages } from "../support/whatsapp.ts"

const LOKET_APP_ID = "990011223344"
const ig = instagramSendApiMock(IG_GRAPH, IG_TOKEN)
const msw = setupServer(...ig.handlers)
let gw: TestGateway

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "bypass" })
  gw = await startGateway(baseEnv({ ...instagramEnv({ META_APP_ID: LOKET_APP_ID }), ...PLAYBOOK_OFF }))
})
afterAll(async () => {
  await gw.close()
  msw.close()
})
afterEach(() => ig.assertValid())

const HOUR = 3600_000
const igMid = () => mid("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOj")
const at = { account: IG_ACCOUNT_ID }
const post = (items: ReadonlyArray<Record<string, unknown>>) => postMeta(gw.url, "instagram", webhook("instagram", items))
const text = (igsid: string, body: string, when?: number) => fromResident(igsid, { message: { mid: igMid(), text: body } }, { ...at, ...(when === undefined ? {} : { at: when }) })

async function conversationOf(igsid: string) {
  return eventually(async () => (await allConversations(gw.url)).find((c) => c.channel === "instagram" && c.contact.handle === igsid), (c) => c !== undefined)
}
const send = (conversationId: string, body: unknown) =>
  fetch(`${gw.url}/api/v1/conversations/${conversationId}/messages`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) })
const messageById = async (conversationId: string, id: string) => (await allMessages(gw.url, conversationId)).find((m) => m.id === id)

describe("Instagram webhook", () => {
  it("answers the handshake for INSTAGRAM_VERIFY_TOKEN, 401 for a bad signature, and ignores Messenger's object", async () => {
    const ok = await fetch(`${gw.url}/webhooks/instagram?hub.mode=subscribe&hub.verify_token=${INSTAGRAM_VERIFY}&hub.challenge=42`)
    expect(await ok.text()).toBe("42")
    expect((await fetch(`${gw.url}/webhooks/instagram?hub.mode=subscribe&hub.verify_token=x&hub.challenge=42`)).status).toBe(403)
    const igsid = newResidentId()
    const bad = await postMeta(gw.url, "instagram", webhook("instagram", [text(igsid, "Hoi")]), { secret: "not-the-secret" })
    expect(bad.status).toBe(401)
    expect((await bad.json()).error.code).toBe("signature_invalid")
    const page = await postMeta(gw.url, "instagram", { object: "page", entry: [] })
    expect(await page.json()).toMatchObject({ status: "ignored", reason: expect.stringContaining("not instagram") })
    expect((await allConversations(gw.url)).some((c) => c.contact.handle === igsid)).toBe(false)
  })
})

describe("Instagram inbound", () => {
  it("takes DMs, story replies, story mentions, reactions and unsent messages on the account, one contact per IGSID", async () => {
    const igsid = newResidentId()
    const first = igMid()
    await post([fromResident(igsid, { message: { mid: first, text: "Waar kan ik een parkeervergunning aanvragen?" } }, at)])
    await post([
      fromResident(igsid, { message: { mid: igMid(), text: "Mooi!", reply_to: { story: { url: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1", id: "17890000000000001" } } } }, at),
      fromResident(igsid, { message: { mid: igMid(), attachments: [{ type: "story_mention", payload: { url: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2" } }] } }, at),
      fromResident(igsid, { reaction: { mid: first, action: "react", reaction: "love", emoji: "❤️" } }, at),
      fromResident(igsid, { message: { mid: first, is_deleted: true } }, at)
    ])
    const conversation = await conversationOf(igsid)
    expect(conversation).toMatchObject({ channel: "instagram", channelAccountId: IG_ACCOUNT_ID, contact: { handle: igsid, name: null } })
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length === 5)
    expect(messages.map((m) => m.type)).toEqual(["text", "text", "unsupported", "reaction", "system"])
    expect(messages[1]).toMatchObject({ text: "Mooi!", replyTo: "17890000000000001", media: { link: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1" } })
    expect(messages[2]).toMatchObject({ text: "[story_mention]", media: { link: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2" } })
    expect(messages[3].reaction).toEqual({ emoji: "❤️", messageId: first })
    expect(messages[4]).toMatchObject({ system: { type: "message_deleted" }, replyTo: first })
  })
})

describe("Instagram replies", () => {
  it("sends text to graph.instagram.com/me/messages without metadata, reacts with the heart, and marks the reply read", async () => {
    const igsid = newResidentId()
    const asked = igMid()
    await post([fromResident(igsid, { message: { mid: asked, text: "Is de milieustraat open?" } }, at)])
    const conversation = await conversationOf(igsid)
    const queued = await (await send(conversation.id, { text: "Ja, tot 16 uur." })).json()
    const sent = await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "sent")
    expect(ig.sentTo(igsid)[0]!.body).toEqual({ recipient: { id: igsid }, messaging_type: "RESPONSE", message: { text: "Ja, tot 16 uur." } })

    const [inbound] = await allMessages(gw.url, conversation.id)
    const heart = await send(conversation.id, { reaction: { messageId: inbound.id, emoji: "❤️" } })
    expect(heart.status).toBe(202)
    await eventually(async () => ig.sentTo(igsid).length, (n) => n === 2)
    expect(ig.sentTo(igsid)[1]!.body).toEqual({ recipient: { id: igsid }, sender_action: "react", payload: { message_id: asked, reaction: "love" } })
    const thumbs = await send(conversation.id, { reaction: { messageId: inbound.id, emoji: "👍" } })
    expect((await thumbs.json()).error.details).toEqual([{ path: "reaction.emoji", message: expect.stringContaining("heart") }])

    // Instagram's read event names the mid read.
    await post([fromResident(igsid, { read: { mid: sent.providerMessageId } }, { ...at, at: Date.now() + 1000 })])
    await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "read")

    const long = await send(conversation.id, { text: "a".repeat(1001) })
    expect((await long.json()).error.details).toEqual([{ path: "text", message: expect.stringContaining("1000") }])
  })

  it("records an echo from another tool once, and drops the echo of Loket's own send by its app id", async () => {
    const igsid = newResidentId()
    await post([text(igsid, "Hallo")])
    const conversation = await conversationOf(igsid)
    const queued = await (await send(conversation.id, { text: "Goedemiddag" })).json()
    const sent = await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "sent")
    const own = echoTo(igsid, { mid: sent.providerMessageId, app_id: Number(LOKET_APP_ID), text: "Goedemiddag" }, at)
    expect(await (await post([own])).json()).toMatchObject({ status: "ignored" })
    const fromApp = echoTo(igsid, { mid: igMid(), text: "Verstuurd vanuit de Instagram-app" }, at)
    await post([fromApp])
    await post([fromApp])
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length === 3)
    expect(messages.map((m) => [m.direction, m.author])).toEqual([["inbound", null], ["outbound", "LOKET_ADMIN_TOKEN"], ["outbound", "Meta Business Suite"]])
  })

  it("without INSTAGRAM_HUMAN_AGENT a late agent reply fails naming the variable; an auto-reply is refused; after 7 days 422", async () => {
    const igsid = newResidentId()
    await post([text(igsid, "Vraag van gisteren", Date.now() - 30 * HOUR)])
    const conversation = await conversationOf(igsid)
    const queued = await (await send(conversation.id, { text: "Excuses voor de vertraging" })).json()
    const failed = await eventually(() => messageById(conversation.id, queued.id), (m) => m?.status === "failed")
    expect(failed.error).toMatchObject({ code: "human_agent_not_enabled", title: expect.stringContaining("INSTAGRAM_HUMAN_AGENT=true") })
    const auto = await gw.runtime.runPromise(Conversations.use((c) =>
      Effect.result(c.send(conversation.id, { content: { type: "text", text: "Automatisch", previewUrl: false }, replyTo: null, idempotencyKey: null, author: "loket", flags: ["auto"] }))
    ))
    expect(auto._tag === "Failure" && auto.failure).toMatchObject({ code: "window_closed", message: expect.stringContaining("never an automatic reply") })

    const old = newResidentId()
    await post([text(old, "Heel oud", Date.now() - 8 * 24 * HOUR)])
    const stale = await conversationOf(old)
    const res = await send(stale.id, { text: "Te laat" })
    expect(res.status).toBe(422)
    expect((await res.json()).error.code).toBe("window_closed")
    expect(ig.sentTo(igsid)).toHaveLength(0)
    expect(ig.sentTo(old)).toHaveLength(0)
  })
})
