/**
 * Messenger in cluster mode (NATS JetStream + PostgreSQL), in this process: the same adapter
 * through the NATS transport — a burst of messages, a reply, its echo, and the watermarks.
 */
import { describe, expect, it } from "vitest"
import { messengerSendApiMock } from "../msw/messenger.ts"
import { auth, eventually, PLAYBOOK_OFF } from "../support/gateway.ts"
import { echoTo, fromResident, GRAPH, messengerEnv, mid, newResidentId, PAGE_TOKEN, postMeta, webhook } from "../support/meta-messaging.ts"
import { clusterGatewayFor } from "../support/cluster-gateway.ts"
import { allConversations, allMessages } from "../support/whatsapp.ts"

const meta = messengerSendApiMock(GRAPH, PAGE_TOKEN)
const gw = clusterGatewayFor((env) => ({ ...messengerEnv(env), ...PLAYBOOK_OFF }), meta.handlers)

describe("Messenger in cluster mode", () => {
  it("stores a burst once each through JetStream, sends the reply, records a Business Suite echo once and applies the watermarks", async () => {
    const psid = newResidentId()
    const hooks = Array.from({ length: 10 }, (_, n) => webhook("page", [
      fromResident(psid, { message: { mid: mid(), text: `bericht ${n}a` } }),
      fromResident(psid, { message: { mid: mid(), text: `bericht ${n}b` } })
    ]))
    const statuses = await Promise.all(hooks.map((h) => postMeta(gw.url, "messenger", h).then((r) => r.status)))
    expect(statuses.every((s) => s === 200)).toBe(true)
    expect((await postMeta(gw.url, "messenger", hooks[0])).status).toBe(200) // a redelivery

    const conversation = await eventually(async () => (await allConversations(gw.url)).find((c) => c.contact.handle === psid), (c) => c !== undefined, 20_000)
    await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length >= 20, 20_000)

    const reply = await fetch(`${gw.url}/api/v1/conversations/${conversation.id}/messages`, {
      method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: "Ontvangen" })
    })
    const queued = await reply.json()
    const sent = await eventually(async () => (await allMessages(gw.url, conversation.id)).find((m) => m.id === queued.id), (m) => m?.status === "sent", 20_000)
    const echo = echoTo(psid, { mid: mid(), app_id: 263902037430900, text: "Vanuit Business Suite" })
    await postMeta(gw.url, "messenger", webhook("page", [echo]))
    await postMeta(gw.url, "messenger", webhook("page", [echo]))
    const later = Date.now() + 1000
    await postMeta(gw.url, "messenger", webhook("page", [fromResident(psid, { read: { watermark: later } }, { at: later })]))
    await eventually(async () => (await allMessages(gw.url, conversation.id)).find((m) => m.id === queued.id)?.status, (s) => s === "read", 20_000)
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length === 22, 20_000)
    expect(messages.filter((m) => m.direction === "outbound").map((m) => m.author)).toEqual(["LOKET_ADMIN_TOKEN", "Meta Business Suite"])
    expect(sent.providerMessageId).toMatch(/^m_/)
    expect(meta.sentTo(psid)).toHaveLength(1)
    meta.assertValid()
  }, 60_000)
})
