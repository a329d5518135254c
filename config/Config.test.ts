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

  it("reads LOKET_TRUSTED_PROXIES as addresses and CIDR ranges, and refuses a bad entry naming it", () => {
    const exit = load({ LOKET_TRUSTED_PROXIES: "10.0.0.0/8, 192.0.2.7 ,fd00::/8" })
    expect(Exit.isSuccess(exit) && exit.value.trustedProxies).toEqual([
      { address: "10.0.0.0", prefix: 8, family: "ipv4" }, { address: "192.0.2.7", prefix: 32, family: "ipv4" }, { address: "fd00::", prefix: 8, family: "ipv6" }
    ])
    expect(Exit.isSuccess(load({})) && (load({}) as Exit.Success<any>).value.trustedProxies).toEqual([])
    expect(failure({ LOKET_TRUSTED_PROXIES: "10.0.0.0/8,proxy.gemeente.nl" })).toMatch(/Invalid configuration: LOKET_TRUSTED_PROXIES: .*CIDR range such as 10.0.0.0\/8.*"proxy.gemeente.nl"/)
    expect(failure({ LOKET_TRUSTED_PROXIES: "10.0.0.0/33" })).toMatch(/LOKET_TRUSTED_PROXIES: .*must be 0 to 32/)
  })

  it("takes any IANA zone for office hours", () => {
    const exit = load({ LOKET_TIMEZONE: "America/Curacao" })
    expect(Exit.isSuccess(exit) && exit.value.timezone).toBe("America/Curacao")
  })

  it("reads NATS credentials and TLS files, and refuses halves of a pair naming the variable", () => {
    const exit = load({ NATS_USER: "loket", NATS_PASSWORD: "s3cret", NATS_TLS_CA: "/ca.pem" })
    expect(Exit.isSuccess(exit) && exit.value.natsAuth.user).toBe("loket")
    expect(Exit.isSuccess(exit) && exit.value.natsAuth.tlsCa).toBe("/ca.pem")
    expect(failure({ NATS_PASSWORD: "s3cret" })).toMatch(/Invalid configuration: NATS_PASSWORD: set NATS_USER too/)
    expect(failure({ NATS_USER: "loket" })).toMatch(/Invalid configuration: NATS_USER: set NATS_PASSWORD too/)
    expect(failure({ NATS_USER: "loket", NATS_PASSWORD: "s3cret", NATS_CREDS: "/x.creds" })).toMatch(/Invalid configuration: NATS_CREDS: /)
    expect(failure({ NATS_TLS_CERT: "/c.pem" })).toMatch(/Invalid configuration: NATS_TLS_CERT: set NATS_TLS_KEY too/)
    expect(failure({ NATS_TLS_KEY: "/k.pem" })).toMatch(/Invalid configuration: NATS_TLS_KEY: set NATS_TLS_CERT too/)
    // The password never shows in what the failure says.
    expect(failure({ NATS_PASSWORD: "s3cret" })).not.toContain("s3cret")
  })

  it("strips a trailing slash from GRAPH_API_URL", () => {
    const exit = load({ GRAPH_API_URL: "http://127.0.0.1:9999/v23.0/" })
    expect(Exit.isSuccess(exit) && exit.value.whatsapp.graphApiUrl).toBe("http://127.0.0.1:9999/v23.0")
  })
})
void Layer
