/**
 * Console sessions in cluster mode: two in-process gateways on one PostgreSQL database and one
 * NATS. A session signed in on instance A works on instance B (no per-instance session state); a
 * logout on B is refused on A at the next request; deactivating the agent on A ends its console
 * stream open on B at once (rung over NATS, before B's own 5 s re-check).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { csrfOf, newAgent, sessionCookie } from "../support/console.ts"
import { ADMIN_TOKEN, APP_SECRET, auth, startGateway, type TestGateway } from "../support/gateway.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "../support/services.ts"

const cleanups: Array<() => Promise<unknown>> = []
let a: TestGateway
let b: TestGateway

beforeAll(async () => {
  const database = await freshPostgresDatabase()
  const ns = natsNamespace()
  cleanups.push(() => database.drop(), () => purgeNatsNamespace(natsUrl(), ns))
  const env = (i: number) => ({
    DATABASE_URL: database.url, NATS_URL: natsUrl(), LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: "4", LOKET_LEASE_MS: "2000",
    LOKET_INSTANCE_ID: `console-gw${i}`, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN, LOKET_DB_POOL_SIZE: "3"
  })
  a = await startGateway(env(0))
  cleanups.push(() => a.close())
  b = await startGateway(env(1))
  cleanups.push(() => b.close())
}, 60_000)

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

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
})
