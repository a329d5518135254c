import { Redacted } from "effect"
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { botError, telegramBotMock } from "../../test/msw/telegram.ts"
import { setTelegramWebhook } from "./set-webhook.ts"

const api = "https://telegram.test"
const token = "42:AAtoken_value-1"
const bot = telegramBotMock({ apiUrl: api, token })
const msw = setupServer(...bot.handlers)
beforeAll(() => msw.listen({ onUnhandledRequest: "error" }))
afterAll(() => msw.close())
afterEach(() => bot.assertValid())

const settings = { botToken: Redacted.make(token), webhookSecret: Redacted.make("geheim_123"), apiUrl: api }

describe("npm run telegram:set-webhook", () => {
  it("calls setWebhook with the URL, the secret and message updates only", async () => {
    const outcome = await setTelegramWebhook(settings, "https://loket.gemeente.nl/webhooks/telegram")
    expect(outcome).toMatchObject({ ok: true, message: expect.stringContaining("https://loket.gemeente.nl/webhooks/telegram") })
    expect(outcome.message).not.toContain("geheim_123")
    expect(bot.calls.at(-1)).toMatchObject({ method: "setWebhook", body: { url: "https://loket.gemeente.nl/webhooks/telegram", secret_token: "geheim_123", allowed_updates: ["message"] } })
  })

  it("refuses a URL Telegram or Loket would not take, and missing settings, without calling Telegram", async () => {
    const before = bot.calls.length
    expect((await setTelegramWebhook(settings, "http://loket.gemeente.nl/webhooks/telegram")).message).toContain("https")
    expect((await setTelegramWebhook(settings, "https://loket.gemeente.nl/webhooks/whatsapp")).message).toContain("/webhooks/telegram")
    expect((await setTelegramWebhook(settings, "")).message).toContain("npm run telegram:set-webhook -- https://")
    expect((await setTelegramWebhook({ ...settings, webhookSecret: undefined }, "https://a.nl/webhooks/telegram")).message).toContain("TELEGRAM_WEBHOOK_SECRET")
    expect(bot.calls.length).toBe(before)
  })

  it("says why when Telegram refuses, without the token", async () => {
    bot.script(botError(400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known"))
    const outcome = await setTelegramWebhook(settings, "https://nergens.invalid/webhooks/telegram")
    expect(outcome).toMatchObject({ ok: false, message: expect.stringContaining("Failed to resolve host") })
    expect(outcome.message).not.toContain(token)
    const wrong = await setTelegramWebhook({ ...settings, botToken: Redacted.make("42:other") }, "https://a.nl/webhooks/telegram")
    expect(wrong).toMatchObject({ ok: false, message: expect.stringContaining("401 Unauthorized") })
  })
})
