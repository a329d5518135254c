/** Telegram's environment variables (CONTRACT.md "More channels"), read with Effect Config. */
import { Config as C, Option, Redacted, Schema } from "effect"

/** `123456789:AAH…` as BotFather hands it out: the bot's id, a colon, the secret part. */
const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{1,200}$/
/** What the Bot API allows as `secret_token`: 1–256 of A–Z, a–z, 0–9, _ and -. */
const WEBHOOK_SECRET = /^[A-Za-z0-9_-]{1,256}$/

const optionalSecret = (name: string, pattern: RegExp, message: string) =>
  C.option(C.schema(Schema.String.check(Schema.isPattern(pattern, { message })), name)).pipe(
    C.map((o) => (Option.isSome(o) && o.value !== "" ? Redacted.make(o.value) : undefined))
  )

export const TelegramConfig = C.all({
  botToken: optionalSecret("TELEGRAM_BOT_TOKEN", BOT_TOKEN, "expected the token BotFather gave, like 123456789:AAH…"),
  webhookSecret: optionalSecret("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET, "expected 1 to 256 letters, digits, _ or - (what Telegram allows as secret_token)"),
  apiUrl: C.URL("TELEGRAM_API_URL").pipe(
    C.withDefault(new URL("https://api.telegram.org")),
    C.map((u) => u.href.replace(/\/+$/, ""))
  )
})

export type TelegramSettings = C.Success<typeof TelegramConfig>

/** The bot's numeric id: the part of the token before the colon (the conversations' `channelAccountId`). */
export const botIdOf = (token: Redacted.Redacted<string> | undefined): string | undefined =>
  token === undefined ? undefined : Redacted.value(token).split(":")[0]
