import { ConfigProvider, Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { failureOf } from "./bot-api.ts"
import { TelegramConfig } from "./config.ts"
import { makeTelegramAdapter, parseUpdate, toBotRequest, validateTelegramOutbound, verifySecretToken } from "./mod.ts"

const read = (env: Record<string, string>) => Effect.runPromise(Effect.result(TelegramConfig.parse(ConfigProvider.fromEnv({ env }))))

describe("Telegram configuration", () => {
  it("reads the token, the secret and the API URL, with Telegram's URL as default", async () => {
    const ok = await read({ TELEGRAM_BOT_TOKEN: "123:abc-DEF_9", TELEGRAM_WEBHOOK_SECRET: "s3cret" })
    expect(ok._tag).toBe("Success")
    if (ok._tag === "Success") expect(ok.success.apiUrl).toBe("https://api.telegram.org")
  })

  it("takes empty values (compose's ${VAR:-}) as not set", async () => {
    const empty = await read({ TELEGRAM_BOT_TOKEN: "", TELEGRAM_WEBHOOK_SECRET: "" })
    expect(empty._tag).toBe("Success")
    if (empty._tag === "Success") expect(empty.success).toMatchObject({ botToken: undefined, webhookSecret: undefined })
  })

  it("refuses a token or secret Telegram would not accept, naming the variable", async () => {
    const badToken = await read({ TELEGRAM_BOT_TOKEN: "not-a-token" })
    expect(badToken._tag).toBe("Failure")
    if (badToken._tag === "Failure") expect(String(badToken.failure)).toContain("TELEGRAM_BOT_TOKEN")
    const badSecret = await read({ TELEGRAM_WEBHOOK_SECRET: "met spaties" })
    expect(badSecret._tag).toBe("Failure")
    if (badSecret._tag === "Failure") expect(String(badSecret.failure)).toContain("TELEGRAM_WEBHOOK_SECRET")
  })

  it("says at start what is missing: off when nothing is set, the missing one when half is", () => {
    const settings = { botToken: undefined, webhookSecret: undefined, apiUrl: "https://api.telegram.org" }
    expect(makeTelegramAdapter(settings).startNotice).toMatch(/^Telegram is off: set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET/)
    const half = makeTelegramAdapter({ ...settings, botToken: Redacted.make("1:a") })
    expect(half.startNotice).toContain("TELEGRAM_WEBHOOK_SECRET (webhooks are refused")
    expect(half.startNotice).not.toContain("TELEGRAM_BOT_TOKEN")
    expect(half.sender).toBeDefined()
    expect(makeTelegramAdapter({ ...settings, botToken: Redacted.make("1:a"), webhookSecret: Redacted.make("x") }).startNotice).toBeNull()
    expect(makeTelegramAdapter(settings).sender).toBeUndefined()
  })
})

describe("X-Telegram-Bot-Api-Secret-Token", () => {
  it("accepts the exact secret only", () => {
    expect(verifySecretToken("abc_DEF-1", "abc_DEF-1")).toEqual({ ok: true })
    expect(verifySecretToken("abc_DEF-2", "abc_DEF-1")).toMatchObject({ ok: false, code: "signature_invalid" })
    expect(verifySecretToken("abc_DEF-1x", "abc_DEF-1")).toMatchObject({ ok: false, code: "signature_invalid" })
    expect(verifySecretToken(null, "abc")).toMatchObject({ ok: false, code: "signature_missing" })
    expect(verifySecretToken("a b", "abc")).toMatchObject({ ok: false, code: "signature_malformed" })
    expect(verifySecretToken("abc", undefined)).toMatchObject({ ok: false, code: "channel_not_configured" })
  })
})

describe("parseUpdate", () => {
  it("parks what it cannot read instead of throwing, and never lets resident data into the reason", () => {
    for (const body of [null, [], "x", 42, { message: {} }, { update_id: "1" }]) {
      const parsed = parseUpdate(body, "1")
      expect(parsed.events).toHaveLength(0)
      expect(parsed.rejected.length + (parsed.ignored === null ? 0 : 1)).toBe(1)
    }
    const noChat = parseUpdate({ update_id: 5, message: { message_id: 1, date: 1, text: "BSN 123456782" } }, "1")
    expect(noChat.rejected[0]).toMatchObject({ path: "message.chat.id", reason: "message without a chat id" })
    expect(noChat.rejected[0]!.reason).not.toContain("123456782")
  })

  it("keys events by update_id and shows unknown message kinds as unsupported", () => {
    const parsed = parseUpdate({ update_id: 77, message: { message_id: 3, date: 1_800_000_000, chat: { id: 5, type: "private" }, from: { id: 5, first_name: "An" }, dice: { emoji: "🎲", value: 3 } } }, "999")
    expect(parsed.events[0]).toMatchObject({ key: "telegram:update:77", channelAccountId: "999", resident: { waId: null, userId: "5", name: "An" }, message: { type: "unsupported", createdAt: "2027-01-15T08:00:00.000Z" } })
  })
})

describe("outbound", () => {
  const request = (content: Parameters<typeof validateTelegramOutbound>[0], replyTo: string | null = null) =>
    ({ channelAccountId: "1", to: { waId: null, userId: "-100123" }, content, replyTo, trackingId: "msg_1" })

  it("maps text, photo and document to the Bot API's methods", () => {
    expect(toBotRequest(request({ type: "text", text: "Hoi", previewUrl: true }, "12"))).toEqual({
      method: "sendMessage",
      body: { chat_id: -100123, text: "Hoi", link_preview_options: { is_disabled: false }, reply_parameters: { message_id: 12, allow_sending_without_reply: true } }
    })
    expect(toBotRequest(request({ type: "image", media: { id: "AgAC" } })).method).toBe("sendPhoto")
    expect(toBotRequest(request({ type: "document", media: { link: "https://x.nl/a.pdf", caption: "Brief" } })).body).toEqual({ chat_id: -100123, document: "https://x.nl/a.pdf", caption: "Brief" })
  })

  it("checks Telegram's limits: 4,096 characters of text, 1,024 of caption, id or https link", () => {
    expect(validateTelegramOutbound({ type: "text", text: "😀".repeat(4096), previewUrl: false })).toEqual([])
    expect(validateTelegramOutbound({ type: "text", text: "a".repeat(4097), previewUrl: false })[0]).toMatchObject({ path: "text" })
    expect(validateTelegramOutbound({ type: "image", media: { id: "x", caption: "c".repeat(1025) } }).map((p) => p.path)).toEqual(["media.caption"])
    expect(validateTelegramOutbound({ type: "image", media: {} }).map((p) => p.path)).toEqual(["media"])
  })

  it("reads Bot API failures as the outbox needs them", () => {
    expect(failureOf(429, { ok: false, error_code: 429, description: "Too Many Requests: retry after 5", parameters: { retry_after: 5 } })).toMatchObject({ retryable: true, retryAfterMs: 5000 })
    expect(failureOf(502, undefined)).toMatchObject({ retryable: true, code: 502 })
    expect(failureOf(401, { ok: false, error_code: 401, description: "Unauthorized" })).toMatchObject({ retryable: false, tokenExpired: true })
    expect(failureOf(403, { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" })).toMatchObject({ retryable: false, tokenExpired: false, code: 403 })
  })
})
