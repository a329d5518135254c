/**
 * Telegram in cluster mode (NATS JetStream + PostgreSQL), in this process: the same adapter
 * through the NATS transport, from update to sent reply — the channel does not know the mode.
 */
import { describe, expect, it } from "vitest"
import { telegramBotMock } from "../msw/telegram.ts"
import { auth, eventually } from "../support/gateway.ts"
import { clusterGatewayFor } from "../support/cluster-gateway.ts"
import { BOT_TOKEN, messageUpdate, postUpdate, TELEGRAM_API, telegramEnv } from "../support/telegram.ts"
import { allConversations, allMessages } from "../support/whatsapp.ts"

const bot = telegramBotMock({ apiUrl: TELEGRAM_API, token: BOT_TOKEN })
const gw = clusterGatewayFor(telegramEnv, bot.handlers)

describe("Telegram in cluster mode", () => {
  it("stores a burst of updates once each through JetStream and answers them", async () => {
    const chatId = 770_000_001
    const updates = Array.from({ length: 20 }, (_, n) => messageUpdate({ chatId }, { text: `bericht ${n}` }))
    const statuses = await Promise.all(updates.map((u) => postUpdate(gw.url, u).then((r) => r.status)))
    expect(statuses.every((s) => s === 200)).toBe(true)
    expect((await postUpdate(gw.url, updates[0])).status).toBe(200) // a redelivery

    const conversation = await eventually(async () => (await allConversations(gw.url)).find((c) => c.contact.handle === String(chatId)), (c) => c !== undefined, 20_000)
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length >= 20, 20_000)
    expect(messages.map((m) => m.text).sort()).toEqual(updates.map((_, n) => `bericht ${n}`).sort())

    const reply = await fetch(`${gw.url}/api/v1/conversations/${conversation.id}/messages`, {
      method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: "Ontvangen" })
    })
    expect(reply.status).toBe(202)
    const queued = await reply.json()
    await eventually(async () => (await allMessages(gw.url, conversation.id)).find((m) => m.id === queued.id)?.status, (s) => s === "sent", 20_000)
    expect(bot.sent(chatId)).toHaveLength(1)
    bot.assertValid()
  }, 60_000)
})
