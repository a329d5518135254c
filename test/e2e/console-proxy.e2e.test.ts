/**
 * The sign-in throttle behind a reverse proxy, over real HTTP on loopback: with
 * LOKET_TRUSTED_PROXIES naming the proxy (here 127.0.0.1) each client behind it is counted on its
 * own address from X-Forwarded-For (the right-most hop that is not a trusted proxy); without it
 * the header is ignored and every request counts on the connection's address.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ADDRESS_LIMIT } from "../../actors/console/SignInThrottle.ts"
import { postSignIn } from "../support/console.ts"
import { baseEnv, startGateway, type TestGateway } from "../support/gateway.ts"

let behindProxy: TestGateway
let direct: TestGateway
beforeAll(async () => {
  behindProxy = await startGateway(baseEnv({ LOKET_TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8" }))
  direct = await startGateway(baseEnv())
}, 60_000)
afterAll(async () => {
  await behindProxy?.close()
  await direct?.close()
})

let n = 0
/** A wrong password for a fresh unknown e-mail address (so only the address's count grows). */
const wrongTry = (gw: TestGateway, forwardedFor?: string) =>
  postSignIn(gw.url, `onbekend${++n}@gemeente.example`, "not the password", forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor })

describe("the sign-in throttle's client address", { timeout: 120_000 }, () => {
  it("behind a trusted proxy: counted per client from X-Forwarded-For; a client's own X-Forwarded-For entries do not help it", async () => {
    for (let i = 0; i < ADDRESS_LIMIT; i++) expect((await wrongTry(behindProxy, "203.0.113.5, 10.1.2.3")).status).toBe(401)
    const throttled = await wrongTry(behindProxy, "203.0.113.5, 10.1.2.3")
    expect(throttled.status).toBe(429)
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0)
    // The same client writing a made-up address in front is still the right-most untrusted hop.
    expect((await wrongTry(behindProxy, "198.51.100.77, 203.0.113.5")).status).toBe(429)
    // Another client behind the same proxy is counted on its own address.
    expect((await wrongTry(behindProxy, "203.0.113.6, 10.1.2.3")).status).toBe(401)
    // The proxy's own address (no header) is a client of its own, not throttled by the others.
    expect((await wrongTry(behindProxy)).status).toBe(401)
  })

  it("without LOKET_TRUSTED_PROXIES: X-Forwarded-For is ignored, every request counts on the connection's address", async () => {
    for (let i = 0; i < ADDRESS_LIMIT; i++) expect((await wrongTry(direct, `203.0.113.${i + 1}`)).status).toBe(401)
    expect((await wrongTry(direct, "198.51.100.200")).status).toBe(429)
    expect((await wrongTry(direct)).status).toBe(429)
  })
})
