import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { makeChannelAdapters } from "../adapters/registry.ts"
import { LoketConfig } from "../config/Config.ts"
import { channelNotices } from "./start.ts"

const notices = async (env: Record<string, string>) => {
  const config = await Effect.runPromise(Effect.provide(LoketConfig.useSync((c) => c), LoketConfig.fromEnv(env)))
  return channelNotices(makeChannelAdapters(config.channels))
}

describe("what a channel misses is printed once at start, by the channel", () => {
  it("names every unconfigured channel's variables with no configuration at all", async () => {
    const lines = await notices({})
    expect(lines).toHaveLength(5)
    expect(lines[0]).toMatch(/^Loket: WhatsApp is not fully configured: WHATSAPP_APP_SECRET .*WHATSAPP_VERIFY_TOKEN .*WHATSAPP_ACCESS_TOKEN/)
    expect(lines[1]).toMatch(/^Loket: Telegram is off: set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET/)
    expect(lines[2]).toMatch(/^Loket: SMS is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM/)
    expect(lines[3]).toMatch(/^Loket: Messenger is off: set MESSENGER_PAGE_ACCESS_TOKEN, MESSENGER_VERIFY_TOKEN and META_APP_SECRET/)
    expect(lines[4]).toMatch(/^Loket: Instagram is off: set INSTAGRAM_ACCESS_TOKEN, INSTAGRAM_VERIFY_TOKEN and META_APP_SECRET/)
  })

  it("prints nothing for a fully configured channel", async () => {
    const lines = await notices({
      TELEGRAM_BOT_TOKEN: "1:abc", TELEGRAM_WEBHOOK_SECRET: "s", WHATSAPP_APP_SECRET: "a", WHATSAPP_VERIFY_TOKEN: "v", WHATSAPP_ACCESS_TOKEN: "t",
      TWILIO_ACCOUNT_SID: "AC" + "0".repeat(32), TWILIO_AUTH_TOKEN: "twilio-token", TWILIO_FROM: "+3197010123456", LOKET_PUBLIC_URL: "https://loket.gemeente.nl",
      META_APP_SECRET: "m", MESSENGER_PAGE_ACCESS_TOKEN: "p", MESSENGER_VERIFY_TOKEN: "mv", INSTAGRAM_ACCESS_TOKEN: "i", INSTAGRAM_VERIFY_TOKEN: "iv"
    })
    expect(lines).toEqual([])
  })
})
