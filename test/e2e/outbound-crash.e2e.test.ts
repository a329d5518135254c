/**
 * kill -9 while replies are queued and in flight: the gateway runs as a child process against
 * a real-HTTP stand-in for the Graph API (which, like Meta, posts status webhooks carrying the
 * tracking id and redelivers them until answered). After the restart every accepted reply
 * reaches Meta exactly once — counted by what the stand-in received.
 */
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, APP_SECRET, type ChildGateway, eventually, PLAYBOOK_OFF, freePort, startChildGateway, tempDir } from "../support/gateway.ts"
import { startGraphStandIn } from "../support/graph-stand-in.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

const children: Array<ChildGateway> = []
const closers: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) await child.kill()
  for (const close of closers) await close()
})

describe("kill -9 with replies queued and in flight", () => {
  it("sends each accepted reply exactly once after the restart", async () => {
    // the stand-in first, so the free port picked next cannot be the one it takes
    const webhook = { url: "", appSecret: APP_SECRET, phoneNumberId: fixtures.DEFAULT_PHONE_NUMBER_ID }
    const standIn = await startGraphStandIn({ accessToken: "crash-token", latencyMs: 250, webhook })
    closers.push(() => standIn.close())
    const port = await freePort()
    const gatewayUrl = `http://127.0.0.1:${port}`
    webhook.url = `${gatewayUrl}/webhooks/whatsapp`
    const env = {
      DATABASE_URL: `file:${join(tempDir(), "loket.db")}`, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN,
      WHATSAPP_ACCESS_TOKEN: "crash-token", GRAPH_API_URL: standIn.url, WHATSAPP_MESSAGES_PER_SECOND: "20",
      WHATSAPP_PAIR_BURST: "45", LOKET_SEND_CONFIRM_SECONDS: "15", ...PLAYBOOK_OFF
    }
    const first = await startChildGateway(env, "node", port)
    children.push(first)

    const residents = Array.from({ length: 20 }, (_, i) => `3167${String(i).padStart(7, "0")}`)
    const now = String(Math.floor(Date.now() / 1000))
    await postWebhook(gatewayUrl, fixtures.webhookBody({
      contacts: residents.map((waId) => fixtures.contact({ waId })),
      messages: residents.map((waId) => fixtures.textMessage({ from: waId, body: "Vraag", timestamp: now }))
    }))
    const conversations = await eventually(() => allConversations(gatewayUrl), (c) => c.length === 20)

    // 80 replies accepted at once; at 20 per second they take four seconds to go out
    const accepted: Array<string> = []
    await Promise.all(conversations.flatMap((c) => [1, 2, 3, 4].map(async (n) => {
      const res = await fetch(`${gatewayUrl}/api/v1/conversations/${c.id}/messages`, {
        method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ text: `Antwoord ${n}` })
      })
      expect(res.status).toBe(202)
      accepted.push((await res.json()).id)
    })))
    expect(accepted).toHaveLength(80)

    // kill while some are sent, some are in flight (250 ms answers) and most still wait
    await eventually(async () => standIn.attempts.length, (n) => n >= 25, 20_000)
    await first.kill()
    const atKill = standIn.attempts.length
    expect(atKill).toBeLessThan(80)

    const second = await startChildGateway(env, "node", port)
    children.push(second)
    const settled = async () => (await Promise.all(conversations.map((c) => allMessages(gatewayUrl, c.id)))).flat().filter((m) => m.direction === "outbound")
    const final = await eventually(settled, (ms) => ms.length === 80 && ms.every((m) => m.status === "sent" || m.status === "delivered"), 60_000)
    expect(final.every((m) => m.providerMessageId !== null)).toBe(true)

    const perReply = new Map<string, number>()
    for (const record of standIn.sent) {
      const id = String(record.body.biz_opaque_callback_data)
      perReply.set(id, (perReply.get(id) ?? 0) + 1)
    }
    expect(new Set(accepted)).toEqual(new Set(perReply.keys()))
    expect([...perReply.values()].every((n) => n === 1)).toBe(true)
    standIn.assertValid()
    await second.kill()
  }, 120_000)
})
