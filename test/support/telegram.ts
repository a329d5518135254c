/** Telegram Bot API updates as Telegram posts them, and posting them to a gateway under test. */
export const BOT_TOKEN = "7012345678:AAF-test-token_for-loket-tests-0123456"
export const BOT_ID = "7012345678"
export const WEBHOOK_SECRET = "test-telegram-secret_42"
export const TELEGRAM_API = "https://telegram.test"

let nextUpdate = 500_000
let nextMessage = 100

export interface Resident {
  readonly chatId: number
  readonly firstName?: string
  readonly lastName?: string
  readonly username?: string
}

/** A `message` update from a private chat; `content` adds text, photo, document, location, contact, reply_to_message… */
export function messageUpdate(resident: Resident, content: Record<string, unknown>, options: { updateId?: number; messageId?: number; date?: number } = {}) {
  const from = {
    id: resident.chatId, is_bot: false, first_name: resident.firstName ?? "Sanne",
    ...(resident.lastName === undefined ? {} : { last_name: resident.lastName }),
    ...(resident.username === undefined ? {} : { username: resident.username }),
    language_code: "nl"
  }
  return {
    update_id: options.updateId ?? nextUpdate++,
    message: {
      message_id: options.messageId ?? nextMessage++,
      from,
      chat: { id: resident.chatId, first_name: from.first_name, type: "private" },
      date: options.date ?? Math.floor(Date.now() / 1000),
      ...content
    }
  }
}

export function postUpdate(url: string, update: unknown, options: { secret?: string | null } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" }
  const secret = options.secret === undefined ? WEBHOOK_SECRET : options.secret
  if (secret !== null) headers["x-telegram-bot-api-secret-token"] = secret
  return fetch(`${url}/webhooks/telegram`, { method: "POST", headers, body: typeof update === "string" ? update : JSON.stringify(update) })
}

export const telegramEnv = (extra: Record<string, string> = {}) => ({
  TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET, TELEGRAM_API_URL: TELEGRAM_API, ...extra
})
