/**
 * Console sessions in cluster mode: two in-process gateways on one PostgreSQL database and one
 * NATS. A session signed in on instance A works on instance B (no per-instance session state); a
 * logout on B is refused on A at the next request; deactivating the agent on A ends its console
 * stream open on B at once (rung over NATS, before B's own 5 s re-check). The sign-in throttle's
 * counts are shared: failures spread over A and B are refused as soon as they add up to one
 * instance's limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ACCOUNT_LIMIT, ADDRESS_LIMIT } from "../../actors/console/SignInThrottle.ts"
import { csrfOf, newAgent, PASSWORD, postSignIn, sessionCookie } from "../support/console.ts"
import { auth, type TestGateway } from "../support/gateway.ts"
import { type GatewayPair, startGatewayPair } from "../support/gateway-pair.ts"

let pair: GatewayPair
let a: TestGateway
let b: TestGateway

beforeAll(async () => {
  pair = await startGatewayPair("console", {
    // The throttle tests below come "through a proxy" on loopback, each client its own address.
    LOKET_TRUSTED_PROXIES: "127.0.0.1"
  })
  ;({ a, b } = pair)
}, 60_000)

afterAll(() => pair?.close())

const me = (gw: TestGateway, cookie: string) => fetch(`${gw.url}/api/v1/me`, { headers: { cookie } }).then((r) => r.status)

describe("console sessions in cluster mode", { timeout: 60_000 }, () => {
  it("a session from instance A works on B; a logout on B is refused on A at the next request", async () => {
    const agent = await newAgent(a.url)
    const cookie = await sessionCookie(a.url, agent.email)
    expect(await me(b, cookie)).toBe(200)
    expect((await fetch(`${b.url}/console`, { headers: { cookie } })).status).toBe(200)
    const out = await fetch(`${b.url}/console/logout`, {
      method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: await csrfOf(b.url, cookie) })
    })
    expect(out.status).toBe(303)
    expect(await me(a, cookie)).toBe(401)
    expect((await fetch(`${a.url}/console`, { redirect: "manual", headers: { cookie } })).status).toBe(303)
  })

  it("deactivating the agent on A ends its console stream on B at once", async () => {
    const agent = await newAgent(a.url)
    const cookie = await sessionCookie(a.url, agent.email)
    const res = await fetch(`${b.url}/console/events`, { headers: { cookie } })
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    const closed = (async () => {
      while (!(await reader.read()).done);
    })()
    const start = Date.now()
    expect((await fetch(`${a.url}/api/v1/agents/${agent.id}`, { method: "DELETE", headers: auth })).status).toBe(200)
    await closed
    expect(Date.now() - start).toBeLessThan(4_000)
    expect(await me(b, cookie)).toBe(401)
  })

  it("the sign-in throttle counts an account's failures on both instances together: the 6th try is refused on either, the right password too", async () => {
    const agent = await newAgent(a.url)
    const from = { "x-forwarded-for": "203.0.113.10" }
    for (let i = 0; i < ACCOUNT_LIMIT; i++) expect((await postSignIn(i % 2 === 0 ? a.url : b.url, agent.email, `wrong ${i}`, from)).status).toBe(401)
    for (const gw of [a, b]) {
      const refused = await postSignIn(gw.url, agent.email, PASSWORD, from)
      expect(refused.status).toBe(429)
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0)
    }
  })

  it("the sign-in throttle counts a client address's failures on both instances together", async () => {
    const from = { "x-forwarded-for": "203.0.113.20" }
    for (let i = 0; i < ADDRESS_LIMIT; i++) expect((await postSignIn(i % 2 === 0 ? a.url : b.url, `onbekend${i}@gemeente.example`, "wrong", from)).status).toBe(401)
    expect((await postSignIn(a.url, "nog-een@gemeente.example", "wrong", from)).status).toBe(429)
    expect((await postSignIn(b.url, "nog-een@gemeente.example", "wrong", from)).status).toBe(429)
    // Another client is not held up by it.
    expect((await postSignIn(b.url, "nog-een@gemeente.example", "wrong", { "x-forwarded-for": "203.0.113.21" })).status).toBe(401)
  })

  it("sign-in attempts for one account at the same moment on both instances: no more than the limit get through to the password check", async () => {
    const agent = await newAgent(a.url)
    const from = { "x-forwarded-for": "203.0.113.30" }
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => postSignIn(i % 2 === 0 ? a.url : b.url, agent.email, `wrong ${i}`, from)))
    const statuses = answers.map((r) => r.status)
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true)
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(ACCOUNT_LIMIT)
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(12 - ACCOUNT_LIMIT)
  })
})
