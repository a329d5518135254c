/**
 * Cluster mode: two in-process gateways on one PostgreSQL database and one NATS. A token revoked
 * (or an agent deactivated) through instance A is refused by instance B on the very next
 * request, although B has just accepted that token many times.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { auth, type TestGateway } from "../support/gateway.ts"
import { type GatewayPair, startGatewayPair } from "../support/gateway-pair.ts"

let pair: GatewayPair
let a: TestGateway
let b: TestGateway

beforeAll(async () => {
  pair = await startGatewayPair("people")
  ;({ a, b } = pair)
}, 60_000)

afterAll(() => pair?.close())

const get = (gw: TestGateway, path: string, token: string) => fetch(`${gw.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status)
const post = async (gw: TestGateway, path: string, body: unknown) => {
  const res = await fetch(`${gw.url}/api/v1${path}`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) })
  expect(res.status).toBe(201)
  return (await res.json()) as any
}

describe("people in cluster mode", { timeout: 60_000 }, () => {
  it("both instances run in cluster mode", async () => {
    for (const gw of [a, b]) {
      const view = await (await fetch(`${gw.url}/api/v1/admin/cluster`, { headers: auth })).json()
      expect(view.mode).toBe("cluster")
    }
  })

  it("a token revoked on instance A is refused on instance B at the next request", async () => {
    const { id, token } = await post(a, "/tokens", { name: "koppeling", role: "agent" })
    for (let i = 0; i < 5; i++) expect(await get(b, "/conversations", token)).toBe(200)
    const revoked = await fetch(`${a.url}/api/v1/tokens/${id}`, { method: "DELETE", headers: auth })
    expect(revoked.status).toBe(204)
    expect(await get(b, "/conversations", token)).toBe(401)
    expect(await get(a, "/conversations", token)).toBe(401)
  })

  it("an event stream on instance B ends at once when its token is revoked on instance A", async () => {
    const { id, token } = await post(a, "/tokens", { name: "wallboard", role: "agent" })
    const res = await fetch(`${b.url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    const closed = (async () => {
      while (!(await reader.read()).done);
    })()
    const start = Date.now()
    expect((await fetch(`${a.url}/api/v1/tokens/${id}`, { method: "DELETE", headers: auth })).status).toBe(204)
    await closed
    // Rung over NATS, well before B's own 5 s re-check.
    expect(Date.now() - start).toBeLessThan(4_000)
  })

  it("an agent deactivated on instance B loses its tokens on instance A at the next request", async () => {
    const agent = await post(a, "/agents", { email: "cluster@gemeente.nl", name: "Cluster Agent", role: "agent" })
    const { token } = await post(b, "/tokens", { name: "laptop", role: "agent", agentId: agent.id })
    for (let i = 0; i < 5; i++) expect(await get(a, "/me", token)).toBe(200)
    const deactivated = await fetch(`${b.url}/api/v1/agents/${agent.id}`, { method: "DELETE", headers: auth })
    expect(deactivated.status).toBe(200)
    expect(await get(a, "/me", token)).toBe(401)
  })
})
