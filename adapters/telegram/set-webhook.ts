/**
 * For the IT team: tells Telegram where to deliver the bot's updates, with the secret it must
 * send back in `X-Telegram-Bot-Api-Secret-Token`.
 *
 *   npm run telegram:set-webhook -- https://loket.gemeente.nl/webhooks/telegram
 *
 * Reads TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET and TELEGRAM_API_URL like the gateway.
 * Never prints the token or the secret.
 */
import { ConfigProvider, Effect, Redacted } from "effect"
import { type BotApi, BotApiError, makeBotApi } from "./bot-api.ts"
import { oneLine } from "../../config/Config.ts"
import { TelegramConfig, type TelegramSettings } from "./config.ts"

/** Only resident messages: Loket ignores the other update types anyway. */
export const ALLOWED_UPDATES = ["message"] as const

export type SetWebhookOutcome = { readonly ok: true; readonly message: string } | { readonly ok: false; readonly message: string }

export function checkWebhookUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return "Give the public URL: npm run telegram:set-webhook -- https://<your host>/webhooks/telegram"
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return `${raw} is not a URL: give https://<your host>/webhooks/telegram`
  }
  if (url.protocol !== "https:") return "Telegram only delivers to https URLs: give https://<your host>/webhooks/telegram"
  if (!url.pathname.endsWith("/webhooks/telegram")) return `The URL must end in /webhooks/telegram (Loket's Telegram webhook), got ${url.pathname}`
  return null
}

export async function setTelegramWebhook(settings: TelegramSettings, url: string, api?: BotApi): Promise<SetWebhookOutcome> {
  const problem = checkWebhookUrl(url)
  if (problem !== null) return { ok: false, message: problem }
  if (settings.botToken === undefined) return { ok: false, message: "Set TELEGRAM_BOT_TOKEN (from BotFather) first." }
  if (settings.webhookSecret === undefined) {
    return { ok: false, message: "Set TELEGRAM_WEBHOOK_SECRET first (1 to 256 letters, digits, _ or -; e.g. openssl rand -hex 32), the same value the gateway runs with." }
  }
  const bot = api ?? makeBotApi({ apiUrl: settings.apiUrl, token: Redacted.value(settings.botToken) })
  try {
    await bot.call("setWebhook", { url, secret_token: Redacted.value(settings.webhookSecret), allowed_updates: [...ALLOWED_UPDATES] })
  } catch (error) {
    const reason = error instanceof BotApiError ? `${error.code} ${error.title}` : "no answer"
    return { ok: false, message: `Telegram refused the webhook: ${reason}` }
  }
  return { ok: true, message: `Telegram now delivers the bot's messages to ${url}, signed with TELEGRAM_WEBHOOK_SECRET.` }
}

async function main() {
  const settings = await Effect.runPromise(Effect.result(TelegramConfig.parse(ConfigProvider.fromEnv())))
  if (settings._tag === "Failure") {
    console.error(`Invalid configuration: ${oneLine(settings.failure)}`)
    process.exit(1)
  }
  const outcome = await setTelegramWebhook(settings.success, process.argv[2] ?? "")
  ;(outcome.ok ? console.log : console.error)(outcome.message)
  process.exit(outcome.ok ? 0 : 1)
}

if (import.meta.url === `file://${process.argv[1]}`) void main()
