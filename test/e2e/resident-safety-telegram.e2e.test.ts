/**
 * Resident safety is channel-neutral: a Telegram resident's BSN gets its flag and the one warning,
 * sent through the Bot API (msw, checked against the documented format) — Telegram has no window.
 */
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { DEFAULT_PERSONAL_DATA_WARNING } from "../../actors/safety/ResidentSafety.ts"
import { telegramBotMock } from "../msw/telegram.ts"
import { baseEnv, eventually, startGateway, type TestGateway } from "../support/gateway.ts"
import { BOT_TOKEN, messageUpdate, postUpdate, TELEGRAM_API, telegramEnv } from "../support/telegram.ts"
import { allConversations, allMessages } from "../support/whatsapp.ts"

const bot = telegramBotMock({ apiUrl: TELEGRAM_API, token: BOT_TOKEN })
const msw = setupServer(...bot.handlers)
let gw: TestGateway

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "bypass" })
  gw = await startGateway(baseEnv(telegramEnv()))
})
afterAll(async () => {
  await gw.close()
  msw.close()
})
afterEach(() => bot.assertValid())

describe("resident safety on Telegram", () => {
  it("flags the BSN and sends the warning once through the Bot API", async () => {
    const resident = { chatId: 770_000_001 }
    expect((await postUpdate(gw.url, messageUpdate(resident, { text: "Mijn BSN is 100752305" }, { updateId: 1, messageId: 1 }))).status).toBe(200)
    expect((await postUpdate(gw.url, messageUpdate(resident, { text: "en mijn IBAN NL69INGB1123457919" }, { updateId: 2, messageId: 2 }))).status).toBe(200)
    const conversation = await eventually(async () => (await allConversations(gw.url)).find((c) => c.channel === "telegram"), (c) => c !== undefined)
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (ms) => ms.length >= 3 && ms.some((m) => m.status === "sent"))
    expect(messages.filter((m) => m.direction === "inbound").map((m) => m.flags)).toEqual([["pii:bsn"], ["pii:iban"]])
    const warnings = messages.filter((m) => m.direction === "outbound")
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ author: "loket", flags: ["auto", "warning:personal-data"], status: "sent" })
    const calls = bot.sent(resident.chatId)
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ method: "sendMessage", body: { chat_id: resident.chatId, text: DEFAULT_PERSONAL_DATA_WARNING.nl } })
  })
})
