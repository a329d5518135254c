/**
 * Telegram (Bot API) adapter: the channel module adapters/registry.ts lists.
 * Webhook: `X-Telegram-Bot-Api-Secret-Token` (set with `npm run telegram:set-webhook`),
 * one `Update` per request. No messaging window; no templates; no delivery webhooks (a reply
 * is `sent` when the Bot API answers ok).
 */
import { Redacted } from "effect"
import { type ChannelAdapter, type ChannelCapabilities, defineChannel } from "../ChannelAdapter.ts"
import { makeBotApi } from "./bot-api.ts"
import { botIdOf, TelegramConfig, type TelegramSettings } from "./config.ts"
import { makeTelegramMedia } from "./media.ts"
import { parseUpdate } from "./parse.ts"
import { makeTelegramSender, TELEGRAM_LIMITS, validateTelegramOutbound } from "./send.ts"
import { SECRET_HEADER, verifySecretToken } from "./verify.ts"

export { parseUpdate, updateKey } from "./parse.ts"
export { toBotRequest, validateTelegramOutbound } from "./send.ts"
export { SECRET_HEADER, verifySecretToken } from "./verify.ts"

/** Telegram updates are small (one message each); 1 MiB leaves room for long texts and captions. */
export const MAX_TELEGRAM_WEBHOOK_BYTES = 1024 * 1024

export const TELEGRAM_CAPABILITIES: ChannelCapabilities = {
  window: { kind: "none" },
  content: ["text", "image", "document"],
  templates: false,
  maxTextLength: TELEGRAM_LIMITS.text
}

function startNotice(s: TelegramSettings): string | null {
  if (s.botToken === undefined && s.webhookSecret === undefined) {
    return "Telegram is off: set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET to use it (docs/channels/telegram.md)."
  }
  const missing = [
    ...(s.webhookSecret === undefined ? ["TELEGRAM_WEBHOOK_SECRET (webhooks are refused until it is set)"] : []),
    ...(s.botToken === undefined ? ["TELEGRAM_BOT_TOKEN (replies cannot be sent, media cannot be fetched)"] : [])
  ]
  return missing.length === 0 ? null : `Telegram is not fully configured: ${missing.join("; ")}.`
}

export function makeTelegramAdapter(s: TelegramSettings): ChannelAdapter {
  const secret = s.webhookSecret === undefined ? undefined : Redacted.value(s.webhookSecret)
  const api = s.botToken === undefined ? undefined : makeBotApi({ apiUrl: s.apiUrl, token: Redacted.value(s.botToken) })
  // Without a token the bot's id is unknown; conversations then name the account "telegram".
  const botId = botIdOf(s.botToken) ?? "telegram"
  return {
    channel: "telegram",
    label: "Telegram",
    capabilities: TELEGRAM_CAPABILITIES,
    webhook: {
      maxBytes: MAX_TELEGRAM_WEBHOOK_BYTES,
      format: "json",
      verify: ({ headers }) => verifySecretToken(headers.get(SECRET_HEADER), secret),
      parse: (body) => parseUpdate(body, botId)
    },
    validateOutbound: validateTelegramOutbound,
    sender: api === undefined ? undefined : makeTelegramSender(api),
    sendRequires: "TELEGRAM_BOT_TOKEN",
    media: makeTelegramMedia(api),
    startNotice: startNotice(s)
  }
}

/** The Telegram channel, as adapters/registry.ts lists it. */
export const telegramChannel = defineChannel({
  channel: "telegram",
  label: "Telegram",
  capabilities: TELEGRAM_CAPABILITIES,
  config: TelegramConfig,
  make: makeTelegramAdapter
})
