import { describe, expect, it } from "vitest"
import { Effect, Exit, Layer } from "effect"
import { LoketConfig } from "./Config.ts"

const load = (env: Record<string, string>) =>
  Effect.runSyncExit(Effect.gen(function*() {
    return yield* LoketConfig
  }).pipe(Effect.provide(LoketConfig.fromEnv(env))))

const failure = (env: Record<string, string>) => {
  const exit = load(env)
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return String(exit.cause)
}

describe("LoketConfig", () => {
  it("starts with no configuration at all", () => {
    const exit = load({})
    expect(Exit.isSuccess(exit)).toBe(true)
    if (Exit.isSuccess(exit)) {
      expect(exit.value.port).toBe(8080)
      expect(exit.value.host).toBe("127.0.0.1")
      expect(exit.value.databaseUrl).toBe("file:./data/loket.db")
      expect(exit.value.natsUrl).toBeUndefined()
      expect(exit.value.timezone).toBe("Europe/Amsterdam")
    }
  })

  it("names the variable of a bad value in one line", () => {
    expect(failure({ PORT: "99999" })).toMatch(/Invalid configuration: PORT: .*between 1 and 65535/)
    expect(failure({ NATS_URL: "not a url" })).toMatch(/Invalid configuration: NATS_URL: /)
    expect(failure({ DATABASE_URL: "mysql://x" })).toMatch(/Invalid configuration: DATABASE_URL: .*file:<path>/)
    expect(failure({ GRAPH_API_URL: "::" })).toMatch(/GRAPH_API_URL/)
    expect(failure({ LOKET_TIMEZONE: "Europe/Amsterdan" })).toMatch(/Invalid configuration: LOKET_TIMEZONE: .*Europe\/Amsterdam/)
  })

  it("takes any IANA zone for office hours", () => {
    const exit = load({ LOKET_TIMEZONE: "America/Curacao" })
    expect(Exit.isSuccess(exit) && exit.value.timezone).toBe("America/Curacao")
  })

  it("strips a trailing slash from GRAPH_API_URL", () => {
    const exit = load({ GRAPH_API_URL: "http://127.0.0.1:9999/v23.0/" })
    expect(Exit.isSuccess(exit) && exit.value.whatsapp.graphApiUrl).toBe("http://127.0.0.1:9999/v23.0")
  })
})
void Layer
