/**
 * The console over plain HTTP, on SQLite and (the suite's PostgreSQL run) on PostgreSQL: strict CSP
 * and cookie flags, CSRF refusals on the console and on the API with the session, logout,
 * deactivation, the sign-in throttle, what access "team" lets an agent see, /widget for a signed-in
 * admin, and every /console route in the OpenAPI document.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { makeApp } from "../../gateway/app.ts"
import * as support from "../support/console.ts"
import { csrfOf, PASSWORD } from "../support/console.ts"
import { eventually } from "../support/gateway.ts"
import { residentWrites, startOutboundGateway } from "../support/outbound.ts"

let ctx: Awaited<ReturnType<typeof startOutboundGateway>>
beforeAll(async () => {
  ctx = await startOutboundGateway()
}, 90_000)
afterAll(() => ctx?.close())
afterEach(() => ctx.graph.assertValid())

const url = () => ctx.gw.url
const adminApi = (path: string, init: { method?: string; body?: unknown } = {}) => support.adminApi(url(), path, init)
const newAgent = (role: "agent" | "admin" = "agent", teams?: Array<string>) => support.newAgent(url(), role, teams)
const sessionCookie = (email: string) => support.sessionCookie(url(), email)
const postSignIn = (email: string, password: string) => support.postSignIn(url(), email, password)
const conversationOf = (waId: string) =>
  eventually(async () => (await adminApi("/conversations?status=all&limit=200")).body.items.find((c: { contact: { handle: string } }) => c.contact.handle === waId), (c) => c !== undefined)

describe("over HTTP", () => {
  it("every console page sends a strict CSP and the cookie is HttpOnly, SameSite=Lax, not Secure on loopback", async () => {
    const agent = await newAgent()
    const cookie = await sessionCookie(agent.email)
    const res = await fetch(`${url()}/console`, { headers: { cookie } })
    expect(res.status).toBe(200)
    const csp = res.headers.get("content-security-policy")!
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("style-src 'self'")
    expect(csp).not.toContain("unsafe-inline")
    const login = await fetch(`${url()}/console/login`)
    expect(login.headers.get("content-security-policy")).toBe(csp)
  })

  it("with access \"team\" an agent sees in the console only the unassigned conversations and those of its teams", async () => {
    const afval = await adminApi("/teams", { method: "POST", body: { name: `Afval ${support.nextNumber()}` } })
    const burgerzaken = await adminApi("/teams", { method: "POST", body: { name: `Burgerzaken ${support.nextNumber()}` } })
    const agent = await newAgent("agent", [afval.body.id])
    const cookie = await sessionCookie(agent.email)
    const [own, other, open] = await Promise.all([residentWrites(url()), residentWrites(url()), residentWrites(url())])
    const [ownC, otherC, openC] = await Promise.all([conversationOf(own.waId), conversationOf(other.waId), conversationOf(open.waId)])
    expect((await adminApi(`/conversations/${ownC.id}/assign`, { method: "POST", body: { team: afval.body.id } })).status).toBe(200)
    expect((await adminApi(`/conversations/${otherC.id}/assign`, { method: "POST", body: { team: burgerzaken.body.id } })).status).toBe(200)
    expect((await adminApi("/settings", { method: "PATCH", body: { access: "team" } })).status).toBe(200)
    try {
      const list = await (await fetch(`${url()}/console?view=all`, { headers: { cookie } })).text()
      expect(list).toContain(`data-conversation="${ownC.id}"`)
      expect(list).toContain(`data-conversation="${openC.id}"`)
      expect(list).not.toContain(`data-conversation="${otherC.id}"`)
      expect((await fetch(`${url()}/console/c/${otherC.id}`, { headers: { cookie } })).status).toBe(404)
      expect(await (await fetch(`${url()}/console/fragments/messages/${otherC.id}`, { headers: { cookie } })).text()).not.toContain("Hallo gemeente")
      const csrf = await csrfOf(url(), cookie)
      const reply = await fetch(`${url()}/console/c/${otherC.id}/reply`, { method: "POST", headers: { cookie, "x-csrf-token": csrf, "hx-request": "true", "content-type": "application/x-www-form-urlencoded" }, body: "text=Hallo" })
      expect(reply.status).toBe(404)
      expect(ctx.graph.sent.filter((s) => s.body.to === other.waId)).toHaveLength(0)
    } finally {
      await adminApi("/settings", { method: "PATCH", body: { access: "all" } })
    }
  })

  it("refuses a change without the CSRF token (403), on the console and on the API with the session", async () => {
    const agent = await newAgent()
    const cookie = await sessionCookie(agent.email)
    const { waId } = await residentWrites(url())
    const conversation = await eventually(async () => (await adminApi("/conversations?status=all&limit=200")).body.items.find((c: { contact: { handle: string } }) => c.contact.handle === waId), (c) => c !== undefined)
    const page = await (await fetch(`${url()}/console/c/${conversation.id}`, { headers: { cookie } })).text()
    const csrf = /data-csrf="([^"]+)"/.exec(page)![1]!

    const noToken = await fetch(`${url()}/console/c/${conversation.id}/reply`, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: "text=Hallo" })
    expect(noToken.status).toBe(403)
    expect((await noToken.json()).error.code).toBe("csrf_token_invalid")
    const wrong = await fetch(`${url()}/console/c/${conversation.id}/reply`, { method: "POST", headers: { cookie, "x-csrf-token": "x".repeat(csrf.length), "content-type": "application/x-www-form-urlencoded" }, body: "text=Hallo" })
    expect(wrong.status).toBe(403)
    const api = await fetch(`${url()}/api/v1/conversations/${conversation.id}/messages`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ text: "Hallo" }) })
    expect(api.status).toBe(403)
    expect(ctx.graph.sent.filter((s) => s.body.to === waId)).toHaveLength(0)

    // With the token it goes through, as the agent
    const ok = await fetch(`${url()}/console/c/${conversation.id}/reply`, { method: "POST", headers: { cookie, "x-csrf-token": csrf, "hx-request": "true", "content-type": "application/x-www-form-urlencoded" }, body: "text=Hallo" })
    expect(ok.status).toBe(200)
    const messages = await eventually(async () => (await adminApi(`/conversations/${conversation.id}/messages`)).body.items, (items: Array<{ direction: string }>) => items.some((m) => m.direction === "outbound"))
    expect(messages.find((m: { direction: string }) => m.direction === "outbound")).toMatchObject({ text: "Hallo", author: expect.stringMatching(/^Agent \d+$/) })
  })

  it("logging out ends the session: the old cookie opens nothing any more", async () => {
    const agent = await newAgent()
    const cookie = await sessionCookie(agent.email)
    const page = await (await fetch(`${url()}/console`, { headers: { cookie } })).text()
    const csrf = /data-csrf="([^"]+)"/.exec(page)![1]!
    expect((await fetch(`${url()}/api/v1/me`, { headers: { cookie } })).status).toBe(200)
    const out = await fetch(`${url()}/console/logout`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: `_csrf=${encodeURIComponent(csrf)}` })
    expect(out.status).toBe(303)
    expect(out.headers.get("set-cookie")).toMatch(/loket_session=;/)
    const again = await fetch(`${url()}/console`, { redirect: "manual", headers: { cookie } })
    expect(again.status).toBe(303)
    expect(again.headers.get("location")).toMatch(/^\/console\/login/)
    expect((await fetch(`${url()}/api/v1/me`, { headers: { cookie } })).status).toBe(401)
  })

  it("the API's event stream takes the session cookie too, and ends at logout", async () => {
    const agent = await newAgent()
    const cookie = await sessionCookie(agent.email)
    const res = await fetch(`${url()}/api/v1/events`, { headers: { cookie } })
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let seen = ""
    const closed = (async () => {
      for (;;) {
        const chunk = await reader.read()
        if (chunk.done) return
        seen += decoder.decode(chunk.value)
      }
    })()
    const { waId } = await residentWrites(url())
    await eventually(async () => seen, (text) => text.includes("message.created") && text.includes(waId))
    const csrf = await csrfOf(url(), cookie)
    await fetch(`${url()}/console/logout`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: `_csrf=${encodeURIComponent(csrf)}` })
    await closed
  })

  it("deactivating an agent ends its sessions at once", async () => {
    const agent = await newAgent()
    const cookie = await sessionCookie(agent.email)
    expect((await fetch(`${url()}/api/v1/me`, { headers: { cookie } })).status).toBe(200)
    expect((await adminApi(`/agents/${agent.id}`, { method: "DELETE" })).status).toBe(200)
    expect((await fetch(`${url()}/api/v1/me`, { headers: { cookie } })).status).toBe(401)
    expect((await fetch(`${url()}/console`, { redirect: "manual", headers: { cookie } })).status).toBe(303)
  })

  it("a wrong password and an unknown address get the same answer; the sixth wrong try is throttled with Retry-After", async () => {
    const agent = await newAgent()
    const wrongPassword = await postSignIn(agent.email, "not the password at all")
    const unknown = await postSignIn("nobody@gemeente.example", "not the password at all")
    expect(wrongPassword.status).toBe(401)
    expect(unknown.status).toBe(401)
    const message = (html: string) => /<p class="alert" role="alert" id="login-error">([^<]+)<\/p>/.exec(html)?.[1]
    expect(message(await wrongPassword.text())).toBe(message(await unknown.text()))
    for (let i = 0; i < 4; i++) expect((await postSignIn(agent.email, `wrong ${i}`)).status).toBe(401)
    const throttled = await postSignIn(agent.email, PASSWORD)
    expect(throttled.status).toBe(429)
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0)
    expect(await throttled.text()).toContain("Te veel mislukte pogingen")
  })

  it("a template with an empty place is refused naming it, and nothing is sent", async () => {
    const agent = await newAgent()
    const cookie = await sessionCookie(agent.email)
    const { waId } = await residentWrites(url())
    const conversation = await conversationOf(waId)
    const csrf = await csrfOf(url(), cookie)
    const res = await fetch(`${url()}/console/c/${conversation.id}/template`, {
      method: "POST", headers: { cookie, "x-csrf-token": csrf, "hx-request": "true", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ template: "gemeente_follow_up|nl", "parameter.1": "Sanne", "parameter.2": "  " })
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain("Vul {{2}} in")
    expect(ctx.graph.sent.filter((s) => s.body.to === waId)).toHaveLength(0)
  })

  it("documents every /console route in the OpenAPI document", async () => {
    const document = await (await fetch(`${url()}/api/v1/openapi.json`)).json()
    const app = await makeApp(ctx.gw.runtime)
    const routes = app.routes
      .filter((r) => r.path.startsWith("/console") && r.method !== "ALL" && !r.path.endsWith("*"))
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/\/$/, "").replace(/:([A-Za-z]+)/g, "{$1}") }))
    expect(routes.length).toBeGreaterThan(8)
    expect(routes.filter((r) => document.paths[r.path]?.[r.method] === undefined).map((r) => `${r.method.toUpperCase()} ${r.path}`)).toEqual([])
  })

  it("a signed-in admin opens /widget without HTTP Basic; an agent does not", async () => {
    const admin = await newAgent("admin")
    const agent = await newAgent("agent")
    expect((await fetch(`${url()}/widget`, { headers: { cookie: await sessionCookie(admin.email) } })).status).toBe(200)
    expect((await fetch(`${url()}/widget`, { headers: { cookie: await sessionCookie(agent.email) } })).status).toBe(401)
  })
})
