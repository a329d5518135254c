/**
 * Is this webhook really from Telegram? The Bot API sends the `secret_token` given to
 * `setWebhook` back in `X-Telegram-Bot-Api-Secret-Token` on every update; compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import type { Verification } from "../ChannelAdapter.ts"

export const SECRET_HEADER = "x-telegram-bot-api-secret-token"

/** Hashing first gives equal-length buffers for any input, so the comparison leaks no length. */
const digest = (text: string) => createHash("sha256").update(text, "utf8").digest()

export function verifySecretToken(header: string | null | undefined, secret: string | undefined): Verification {
  if (secret === undefined || secret === "") {
    return { ok: false, code: "channel_not_configured", message: "TELEGRAM_WEBHOOK_SECRET is not set" }
  }
  if (header === null || header === undefined || header === "") {
    return { ok: false, code: "signature_missing", message: "X-Telegram-Bot-Api-Secret-Token header is missing" }
  }
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(header)) {
    return { ok: false, code: "signature_malformed", message: "X-Telegram-Bot-Api-Secret-Token must be 1 to 256 letters, digits, _ or -" }
  }
  return timingSafeEqual(digest(header), digest(secret))
    ? { ok: true }
    : { ok: false, code: "signature_invalid", message: "X-Telegram-Bot-Api-Secret-Token does not match TELEGRAM_WEBHOOK_SECRET" }
}
