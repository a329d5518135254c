/**
 * What a Dutch agent reads in the console on a gateway set up as a new municipality's IT team
 * first starts it (no WHATSAPP_ACCESS_TOKEN yet): the API's refusals in Dutch, Loket's own
 * replies named in Dutch rather than by their flag, channels by their names, and the admin's
 * people page's conflicts in Dutch. English (the `loket_lang` cookie) keeps the API's messages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as support from "../support/console.ts"
import { csrfOf } from "../support/console.ts"
import { baseEnv, eventually, PLAYBOOK_OFF, startGateway, type TestGateway } from "../support/gateway.ts"
import { residentWrites } from "../support/outbound.ts"

let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway(baseEnv(PLAYBOOK_OFF))
}, 90_000)
afterAll(() => gw?.close())

const conversationOf = (waId: string) =>
  eventually(async () => (await support.adminApi(gw.url, "/conversations?status=all&limit=200")).body.items.find((c: { contact: { handle: string } }) => c.contact.handle === waId), (c) => c !== undefined)

async function signedIn(role: "agent" | "admin" = "agent") {
  const agent = await support.newAgent(gw.url, role)
  const cookie = await support.sessionCookie(gw.url, agent.email)
  return { cookie, csrf: await csrfOf(gw.url, cookie) }
}

const post = (path: string, cookie: string, csrf: string, body: Record<string, string>, hx = true) =>
  fetch(`${gw.url}${path}`, {
    method: "POST", redirect: "manual",
    headers: { cookie, "x-csrf-token": csrf, "content-type": "application/x-www-form-urlencoded", ...(hx ? { "hx-request": "true" } : {}) },
    body: new URLSearchParams({ _csrf: csrf, ...body })
  })

describe("the console in Dutch on a fresh gateway", () => {
  it("a reply on a channel without its send credentials says so in Dutch, without the English API message; in English the API's message names the variable", async () => {
    const { waId } = await residentWrites(gw.url)
    const conversation = await conversationOf(waId)
    const { cookie, csrf } = await signedIn()
    const answer = await post(`/console/c/${conversation.id}/reply`, cookie, csrf, { text: "Goedemiddag!" })
    const html = await answer.text()
    expect(answer.status).toBe(422)
    expect(html).toContain("Dit kanaal is nog niet ingesteld")
    expect(html).not.toContain("Nothing can be sent")

    const english = await post(`/console/c/${conversation.id}/reply`, `${cookie}; loket_lang=en`, csrf, { text: "Good afternoon!" })
    expect(await english.text()).toContain("set WHATSAPP_ACCESS_TOKEN and restart Loket")
  })

  it("Loket's own reply is named by what it was for, in Dutch, and the channel by its name", async () => {
    expect((await support.adminApi(gw.url, "/settings", { method: "PATCH", body: { autoReplies: { firstContact: { enabled: true }, outOfHours: { enabled: false } } } })).status).toBe(200)
    try {
      const { waId } = await residentWrites(gw.url)
      const conversation = await conversationOf(waId)
      const { cookie } = await signedIn()
      const page = await eventually(async () => (await fetch(`${gw.url}/console/c/${conversation.id}`, { headers: { cookie } })).text(), (t) => t.includes("automatisch"))
      expect(page).toContain("eerste contact")
      expect(page).not.toContain("auto:first-contact")
      expect(page).toContain("WhatsApp · Open")
      expect(page).not.toContain("whatsapp · ")
    } finally {
      await support.adminApi(gw.url, "/settings", { method: "PATCH", body: { autoReplies: { firstContact: { enabled: false } } } })
    }
  })

  it("adding an agent whose e-mail address is taken, or a vakteam whose name is, is refused in Dutch on the people page", async () => {
    const existing = await support.newAgent(gw.url)
    const { cookie, csrf } = await signedIn("admin")
    const agent = await post("/console/admin/people", cookie, csrf, { name: "Dubbel", email: existing.email.toUpperCase(), role: "agent", password: "long enough password" }, false)
    const agentPage = await agent.text()
    expect(agent.status).toBe(422)
    expect(agentPage).toContain("Er is al een medewerker met dit e-mailadres")
    expect(agentPage).not.toContain("An agent with this e-mail address exists")
    expect(agentPage).not.toContain("<code>—</code>")

    const name = `Afval ${support.nextNumber()}`
    expect((await support.adminApi(gw.url, "/teams", { method: "POST", body: { name } })).status).toBe(201)
    const team = await post("/console/admin/teams", cookie, csrf, { name }, false)
    const teamPage = await team.text()
    expect(team.status).toBe(422)
    expect(teamPage).toContain("Er is al een vakteam met deze naam")
    expect(teamPage).not.toContain("pick another name")
  })
})

describe("a conversation the agent cannot open", () => {
  it("a stale link is the console's page in Dutch with the list, status 404, not the API's JSON", async () => {
    const { waId } = await residentWrites(gw.url)
    await conversationOf(waId)
    const { cookie } = await signedIn()
    const res = await fetch(`${gw.url}/console/c/cnv_00000000000000000000000000`, { headers: { cookie } })
    expect(res.status).toBe(404)
    expect(res.headers.get("content-type")).toContain("text/html")
    const page = await res.text()
    expect(page).toContain("Dit gesprek bestaat niet, of u mag het niet zien.")
    expect(page).toContain(`data-conversation=`)
    expect(page).not.toContain("No conversation with id")
  })
})

describe("an htmx action on a page whose sign-in is gone", () => {
  it("after a sign-out the action answers 401 with a Dutch fragment linking back to sign in; with a stale CSRF token 403 with a Dutch fragment; without htmx the JSON errors stay", async () => {
    const { waId } = await residentWrites(gw.url)
    const conversation = await conversationOf(waId)
    const { cookie, csrf } = await signedIn()
    const stale = await post(`/console/c/${conversation.id}/note`, cookie, "x".repeat(csrf.length), { text: "Notitie" })
    expect(stale.status).toBe(403)
    expect(await stale.text()).toContain("Deze pagina hoort bij een eerdere inlog: er is niets verstuurd of gewijzigd.")

    expect((await post("/console/logout", cookie, csrf, {}, false)).status).toBe(303)
    const ended = await fetch(`${gw.url}/console/c/${conversation.id}/note`, {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrf, "hx-request": "true", "hx-current-url": `${gw.url}/console/c/${conversation.id}?view=all`, "content-type": "application/x-www-form-urlencoded" },
      body: "text=Notitie"
    })
    expect(ended.status).toBe(401)
    const fragment = await ended.text()
    expect(fragment).toContain("Uw sessie is verlopen of beëindigd")
    expect(fragment).toContain(`href="/console/login?next=${encodeURIComponent(`/console/c/${conversation.id}`)}"`)
    const plain = await post(`/console/c/${conversation.id}/note`, cookie, csrf, { text: "Notitie" }, false)
    expect(plain.status).toBe(401)
    expect((await plain.json()).error.code).toBe("unauthorized")
  })
})

describe("a background refresh after the sign-in is gone", () => {
  it("an htmx GET (the list, a conversation's messages) sends the whole page to the sign-in page instead of the sign-in page into the pane", async () => {
    const { waId } = await residentWrites(gw.url)
    const conversation = await conversationOf(waId)
    const { cookie, csrf } = await signedIn()
    const fragment = (path: string) => fetch(`${gw.url}${path}`, {
      redirect: "manual", headers: { cookie, "hx-request": "true", "hx-current-url": `${gw.url}/console/c/${conversation.id}?view=all` }
    })
    expect((await fragment("/console/fragments/list?view=all")).status).toBe(200)
    expect((await post("/console/logout", cookie, csrf, {}, false)).status).toBe(303)
    for (const path of ["/console/fragments/list?view=all", `/console/fragments/messages/${conversation.id}`]) {
      const answer = await fragment(path)
      expect(answer.status).toBe(401)
      expect(answer.headers.get("hx-redirect")).toBe(`/console/login?next=${encodeURIComponent(`/console/c/${conversation.id}`)}`)
      expect(await answer.text()).toBe("")
    }
    // A page itself still redirects to the sign-in page.
    const page = await fetch(`${gw.url}/console/c/${conversation.id}`, { redirect: "manual", headers: { cookie } })
    expect(page.status).toBe(303)
    expect(page.headers.get("location")).toBe(`/console/login?next=${encodeURIComponent(`/console/c/${conversation.id}`)}`)
  })
})

describe("a console form over its limit", () => {
  it("answers 413 with a Dutch line where the answer goes (htmx) rather than the JSON error, which a plain post keeps", async () => {
    const { waId } = await residentWrites(gw.url)
    const conversation = await conversationOf(waId)
    const { cookie, csrf } = await signedIn()
    const long = "a".repeat(70 * 1024)
    const answer = await post(`/console/c/${conversation.id}/note`, cookie, csrf, { text: long })
    expect(answer.status).toBe(413)
    const fragment = await answer.text()
    expect(fragment).toContain("Dit is te lang: een formulier van de console is hoogstens 64 KiB")
    expect(fragment).not.toContain("payload_too_large")
    const plain = await post(`/console/c/${conversation.id}/note`, cookie, csrf, { text: long }, false)
    expect(plain.status).toBe(413)
    expect((await plain.json()).error.code).toBe("payload_too_large")
  })
})
