/**
 * What every answer carries, and what the public documents promise: Hono's secure headers on
 * every route (health, webhooks, API, errors), no CORS on the agent API, and every route of
 * /api/v1 in the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeApp } from "../../gateway/app.ts"
import { auth, startGateway, type TestGateway } from "../support/gateway.ts"
import { postWebhook } from "../support/whatsapp.ts"

let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway()
})
afterAll(() => gw.close())

const expectSecureHeaders = (res: Response, what: string) => {
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff")
  expect(res.headers.get("x-frame-options"), what).toBe("DENY")
  expect(res.headers.get("strict-transport-security"), what).toContain("max-age=")
  expect(res.headers.get("referrer-policy"), what).toBe("no-referrer")
  expect(res.headers.get("content-security-policy"), what).toContain("frame-ancestors 'none'")
}

describe("the HTTP surface", () => {
  it("puts the secure headers on every kind of answer", async () => {
    const answers: Array<[string, Response]> = [
      ["health", await fetch(`${gw.url}/healthz`)],
      ["webhook handshake refused", await fetch(`${gw.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)],
      ["webhook accepted", await postWebhook(gw.url, { object: "whatsapp_business_account", entry: [] })],
      ["API list", await fetch(`${gw.url}/api/v1/conversations`, { headers: auth })],
      ["API 401", await fetch(`${gw.url}/api/v1/conversations`)],
      ["API 404", await fetch(`${gw.url}/api/v1/nothing-here`, { headers: auth })],
      ["413", await fetch(`${gw.url}/api/v1/conversations/x/messages`, { method: "POST", headers: auth, body: "x".repeat(70_000) })],
      ["SSE", await fetch(`${gw.url}/api/v1/events`, { headers: auth })]
    ]
    for (const [what, res] of answers) {
      expectSecureHeaders(res, what)
      await res.body?.cancel()
    }
  })

  it("answers no CORS on the agent API, to a simple request or a preflight from another site", async () => {
    const origin = "https://www.gemeente.example"
    const simple = await fetch(`${gw.url}/api/v1/conversations`, { headers: { ...auth, origin } })
    expect(simple.headers.get("access-control-allow-origin")).toBeNull()
    const preflight = await fetch(`${gw.url}/api/v1/conversations`, {
      method: "OPTIONS", headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" }
    })
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull()
    expect(preflight.headers.get("access-control-allow-headers")).toBeNull()
  })

  it("documents every route of /api/v1 in the OpenAPI document", async () => {
    const document = await (await fetch(`${gw.url}/api/v1/openapi.json`)).json()
    const app = await makeApp(gw.runtime)
    const routes = app.routes
      .filter((r) => r.path.startsWith("/api/v1/") && r.method !== "ALL" && !r.path.endsWith("*"))
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/\/$/, "").replace(/:([A-Za-z]+)/g, "{$1}") }))
    expect(routes.length).toBeGreaterThan(10)
    const missing = routes.filter((r) => document.paths[r.path]?.[r.method] === undefined).map((r) => `${r.method.toUpperCase()} ${r.path}`)
    expect(missing).toEqual([])
  })
})
