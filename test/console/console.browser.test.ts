/**
 * The agent console in real headless Chromium (test/support/browser.ts), on a real in-process
 * gateway (SQLite) with msw standing in for the Graph API: signing in, the list, a
 * conversation answered with the keyboard only, a resident's message arriving live, axe on every
 * page, the admin pages. What is checked over plain HTTP is in test/e2e/console.e2e.test.ts.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { launchChromium } from "../support/browser.ts"
import * as support from "../support/console.ts"
import { nextNumber, PASSWORD } from "../support/console.ts"
import { eventually } from "../support/gateway.ts"
import { APPROVED_TEMPLATES, residentWrites, startOutboundGateway } from "../support/outbound.ts"

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")

let ctx: Awaited<ReturnType<typeof startOutboundGateway>>
let browser: Browser
const contexts: Array<BrowserContext> = []

beforeAll(async () => {
  ctx = await startOutboundGateway()
  browser = await launchChromium()
}, 90_000)
afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => {})))
  await browser?.close()
  await ctx?.close()
})
afterEach(() => ctx.graph.assertValid())

const url = () => ctx.gw.url
const adminApi = (path: string, init: { method?: string; body?: unknown } = {}) => support.adminApi(url(), path, init)
const newAgent = (role: "agent" | "admin" = "agent") => support.newAgent(url(), role)
const sessionCookie = (email: string) => support.sessionCookie(url(), email)



async function axeViolations(page: Page): Promise<Array<string>> {
  await page.evaluate(AXE)
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Array<{ id: string; nodes: Array<unknown> }> }> } }).axe
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
    return result.violations.map((v) => `${v.id} (${v.nodes.length})`)
  })
}

async function openConsole() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  contexts.push(context)
  await context.addInitScript(`window.__violations = []; document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));`)
  const page = await context.newPage()
  const errors: Array<string> = []
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()))
  return { context, page, errors, violations: () => page.evaluate(() => (window as unknown as { __violations: Array<string> }).__violations) }
}

/** Signs in with the keyboard only: the e-mail field has the focus, Tab to the password, Enter. */
async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto(`${url()}/console`)
  await page.waitForURL(/\/console\/login/)
  await page.locator("#email").waitFor()
  // The e-mail field has autofocus; a headless window may not apply it: Tab reaches it first.
  const focused = () => page.evaluate(() => document.activeElement?.id)
  if ((await focused()) !== "email") await page.keyboard.press("Tab")
  expect(await focused()).toBe("email")
  await page.keyboard.type(email)
  await page.keyboard.press("Tab")
  await page.keyboard.type(password)
  await page.keyboard.press("Enter")
}



describe("in Chromium", () => {
  it("signs in, lists the conversation, answers it with the keyboard only (the Graph API gets it), and a new message arrives live; axe finds nothing", async () => {
    const agent = await newAgent()
    const { waId } = await residentWrites(url(), { body: "Wanneer wordt het grofvuil opgehaald?" })
    const { page, errors, violations } = await openConsole()

    await page.goto(`${url()}/console/login`)
    expect(await page.locator("html").getAttribute("lang")).toBe("nl")
    expect(await axeViolations(page)).toEqual([])
    await signIn(page, agent.email)
    await page.waitForURL(`${url()}/console`)
    const link = page.locator(".conversations a").filter({ hasText: "Sanne de Vries" }).first()
    await link.waitFor()
    expect(await axeViolations(page)).toEqual([])

    // j opens the first (newest) conversation; r puts the focus in the reply box
    await page.keyboard.press("j")
    await page.waitForURL(/\/console\/c\//)
    await page.getByText("Wanneer wordt het grofvuil opgehaald?").waitFor()
    expect(await axeViolations(page)).toEqual([])
    await page.keyboard.press("r")
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("reply-text")
    await page.keyboard.type("Goedemiddag, dinsdag komen we langs.")
    await page.keyboard.press("Control+Enter")
    await page.locator("#reply-result .notice").waitFor({ timeout: 20_000 })
    const sent = await eventually(async () => ctx.graph.sent.filter((s) => s.body.to === waId), (s) => s.length === 1, 20_000)
    expect(sent[0]!.body).toMatchObject({ type: "text", text: { body: "Goedemiddag, dinsdag komen we langs." } })
    // The reply appears in the thread (the stream refreshed it) and the box is empty again, focused
    await page.locator(".message.outbound").filter({ hasText: "Goedemiddag, dinsdag komen we langs." }).waitFor({ timeout: 20_000 })
    expect(await page.locator("#reply-text").inputValue()).toBe("")

    // The resident writes again while the page is open: it appears without a reload
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42))
    const posted = performance.now()
    await residentWrites(url(), { waId, body: "Moet ik het buiten zetten?" })
    await page.getByText("Moet ik het buiten zetten?").waitFor({ timeout: 20_000 })
    // The target is within a second; the bound is generous for a loaded machine (2 cores, shared).
    expect(performance.now() - posted).toBeLessThan(5_000)
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42)
    // A new resident writes: the list shows the new conversation, still without a reload
    const newcomer = await residentWrites(url(), { body: "Ik ben nieuw hier" })
    const newConversation = await eventually(async () => (await adminApi("/conversations?status=all&limit=200")).body.items.find((c: { contact: { handle: string } }) => c.contact.handle === newcomer.waId), (c) => c !== undefined)
    await page.locator(`.conversations a[data-conversation="${newConversation.id}"]`).waitFor({ timeout: 20_000 })
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42)

    // Help screen with ?, palette with Ctrl+K, both closed with Escape
    await page.keyboard.press("Escape") // out of the reply box
    await page.keyboard.press("?")
    await page.locator("#help[open]").waitFor()
    expect(await page.locator("#help").textContent()).toContain("Ctrl+Enter")
    expect(await axeViolations(page)).toEqual([])
    await page.keyboard.press("Escape")
    await page.keyboard.press("Control+k")
    await page.locator("#palette[open]").waitFor()
    await page.keyboard.type("Uitloggen")
    expect(errors).toEqual([]) // (signing out ends the live stream, which the SSE extension reports)
    await page.keyboard.press("Enter")
    await page.waitForURL(/\/console\/login\?signedOut=1/)
    expect(await axeViolations(page)).toEqual([])

    expect(await violations()).toEqual([])
  }, 120_000)

  it("a reply sent after the session ended says so in Dutch where the answer goes, keeps what the agent typed, sends nothing, and links to sign in again", async () => {
    const agent = await newAgent()
    const { waId } = await residentWrites(url(), { body: "Is het zwembad morgen open?" })
    const { page, context } = await openConsole()
    await signIn(page, agent.email)
    await page.waitForURL(`${url()}/console`)
    await page.locator(".conversations a").filter({ hasText: "Sanne de Vries" }).first().click()
    await page.getByText("Is het zwembad morgen open?").waitFor()
    const here = new URL(page.url()).pathname
    await page.locator("#reply-text").fill("Ja, van 7 tot 21 uur.")
    await context.clearCookies() // the session is gone, as after 2 hours idle or a sign-out in another tab
    await page.locator("#reply-text").focus()
    await page.keyboard.press("Control+Enter")
    const alert = page.locator("#reply-result .alert")
    await alert.waitFor({ timeout: 20_000 })
    expect(await alert.textContent()).toContain("Uw sessie is verlopen of beëindigd: er is niets verstuurd")
    expect(await alert.locator("a").getAttribute("href")).toBe(`/console/login?next=${encodeURIComponent(here)}`)
    expect(await page.locator("#reply-text").inputValue()).toBe("Ja, van 7 tot 21 uur.")
    expect(ctx.graph.sent.filter((s) => s.body.to === waId)).toHaveLength(0)
  }, 120_000)

  it("with the keyboard: the Unassigned view with its unread count, a hand-over to a vakteam, a note never sent, a canned response, taking it", async () => {
    const team = await adminApi("/teams", { method: "POST", body: { name: `Afval ${nextNumber()}` } })
    expect(team.status).toBe(201)
    const agent = await newAgent()
    expect((await adminApi(`/agents/${agent.id}`, { method: "PATCH", body: { teams: [team.body.id] } })).status).toBe(200)
    const canned = await adminApi("/canned-responses", { method: "POST", body: { shortcut: `/grofvuil${nextNumber()}`, title: "Grofvuil", text: "Beste {{name}}, grofvuil halen we gratis op.", language: "nl" } })
    expect(canned.status).toBe(201)
    const { waId } = await residentWrites(url(), { body: "Mijn container is kapot" })
    await residentWrites(url(), { waId, body: "Hij lekt ook" })
    const conversation = await eventually(async () => (await adminApi("/conversations?status=all&limit=200")).body.items.find((c: { contact: { handle: string } }) => c.contact.handle === waId), (c) => c !== undefined)

    const { page, errors } = await openConsole()
    await signIn(page, agent.email)
    await page.waitForURL(`${url()}/console`)
    await page.goto(`${url()}/console?view=unassigned`)
    const item = page.locator(`.conversations a[data-conversation="${conversation.id}"]`)
    await item.waitFor()
    expect(await item.locator(".badge").textContent()).toBe("2 ongelezen")
    await item.focus()
    await page.keyboard.press("Enter")
    await page.waitForURL(new RegExp(`/console/c/${conversation.id}`))
    await page.getByText("Hij lekt ook").waitFor()

    // t: the vakteam choice; pick the team with the keyboard and submit
    await page.keyboard.press("t")
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("assign-team")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.locator("#assignment").getByText(team.body.name).waitFor({ timeout: 20_000 })
    expect((await adminApi(`/conversations/${conversation.id}`)).body.team).toBe(team.body.id)

    // n: a note, sent with Ctrl+Enter; it shows as a note and never reaches the Graph API
    await page.keyboard.press("Escape")
    await page.keyboard.press("n")
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("note-text")
    await page.keyboard.type("Bewoner belt morgen terug over de container")
    await page.keyboard.press("Control+Enter")
    await page.locator(".message.internal").filter({ hasText: "Bewoner belt morgen terug over de container" }).waitFor({ timeout: 20_000 })
    expect(ctx.graph.sent.filter((s) => JSON.stringify(s.body).includes("Bewoner belt morgen"))).toEqual([])

    // A canned response goes into the reply box with the resident's name filled in
    await page.locator("#canned-choice").focus()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    expect(await page.locator("#reply-text").inputValue()).toBe("Beste Sanne de Vries, grofvuil halen we gratis op.")
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("reply-text")

    // a: take it; the Mine view lists it
    await page.keyboard.press("Escape")
    await page.keyboard.press("a")
    await eventually(async () => (await adminApi(`/conversations/${conversation.id}`)).body.assignee, (a) => a === agent.id, 20_000)
    await page.goto(`${url()}/console?view=mine`)
    await page.locator(`.conversations a[data-conversation="${conversation.id}"]`).waitFor()
    expect(await axeViolations(page)).toEqual([])
    expect(errors).toEqual([])
  }, 120_000)

  it("sends an attachment from the reply area: uploaded to the Graph API, then sent as a document with its caption", async () => {
    const agent = await newAgent()
    const { waId } = await residentWrites(url(), { body: "Kunt u het besluit sturen?" })
    const conversation = await eventually(async () => (await adminApi("/conversations?status=all&limit=200")).body.items.find((c: { contact: { handle: string } }) => c.contact.handle === waId), (c) => c !== undefined)
    const { page, errors } = await openConsole()
    await signIn(page, agent.email)
    await page.waitForURL(`${url()}/console`)
    await page.goto(`${url()}/console/c/${conversation.id}`)
    await page.locator("#attachment-file").setInputFiles({ name: "besluit.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 besluit") })
    await page.locator("#attachment-caption").fill("Uw besluit")
    await page.locator("#attachment-caption").press("Enter")
    await page.locator("#reply-result .notice").waitFor({ timeout: 20_000 })
    expect(ctx.graph.uploads.filter((u) => u.filename === "besluit.pdf")).toHaveLength(1)
    const sent = await eventually(async () => ctx.graph.sent.filter((s) => s.body.to === waId), (list) => list.length === 1, 20_000)
    expect(sent[0]!.body).toMatchObject({ type: "document", document: { caption: "Uw besluit", filename: "besluit.pdf" } })
    await page.locator(".message.outbound").filter({ hasText: "besluit.pdf" }).waitFor({ timeout: 20_000 })
    expect(errors).toEqual([])
  }, 120_000)

  it("outside the 24-hour window the box offers templates only: the agent picks one, fills its {{1}} {{2}} with the keyboard and sends; the Graph API gets Meta's template with the parameters", async () => {
    ctx.graph.templates([...APPROVED_TEMPLATES, { name: "gemeente_afspraak", language: "nl", status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "Uw afspraak is op {{1}}." }] }])
    expect((await adminApi("/templates/sync", { method: "POST" })).status).toBe(200)
    const agent = await newAgent()
    // The resident wrote 25 hours ago: the window has closed.
    const { waId } = await residentWrites(url(), { body: "Is mijn paspoort klaar?", timestamp: Math.floor(Date.now() / 1000) - 25 * 3600 })
    const conversation = await eventually(async () => (await adminApi("/conversations?status=all&limit=200")).body.items.find((c: { contact: { handle: string } }) => c.contact.handle === waId), (c) => c !== undefined)
    const { page, errors } = await openConsole()
    await signIn(page, agent.email)
    await page.waitForURL(`${url()}/console`)
    await page.goto(`${url()}/console/c/${conversation.id}`)
    await page.getByText("Is mijn paspoort klaar?").waitFor()
    expect(await page.locator("#window-state").textContent()).toContain("alleen een goedgekeurde template")
    expect(await page.locator("#reply-text").count()).toBe(0)
    expect(await page.locator("#attachment-file").count()).toBe(0)
    expect(await axeViolations(page)).toEqual([])

    // r goes to the template choice; the arrow keys pick; the fields follow the template's places.
    await page.locator("#main").focus()
    await page.keyboard.press("r")
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("template-name")
    const options = await page.locator("#template-name option").evaluateAll((list) => list.map((o) => (o as HTMLOptionElement).value))
    expect(options.sort()).toEqual(["gemeente_afspraak|nl", "gemeente_follow_up|nl"]) // the PAUSED one is not offered
    const visibleFields = () => page.locator("[data-template-parameter]:not([hidden]) input").evaluateAll((list) => list.map((i) => i.id))
    const pick = async (value: string) => {
      for (let i = 0; i < options.length && (await page.locator("#template-name").inputValue()) !== value; i++) await page.keyboard.press("ArrowDown")
      for (let i = 0; i < options.length && (await page.locator("#template-name").inputValue()) !== value; i++) await page.keyboard.press("ArrowUp")
      expect(await page.locator("#template-name").inputValue()).toBe(value)
    }
    await pick("gemeente_afspraak|nl")
    expect(await visibleFields()).toEqual(["template-parameter-1"])
    expect(await page.locator("#template-text").textContent()).toContain("Uw afspraak is op {{1}}.")
    await pick("gemeente_follow_up|nl")
    expect(await visibleFields()).toEqual(["template-parameter-1", "template-parameter-2"])
    expect(await page.locator("#template-text").textContent()).toContain("Beste {{1}}, uw melding {{2}} is in behandeling.")
    expect(await axeViolations(page)).toEqual([])
    await page.keyboard.press("Tab")
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("template-parameter-1")
    await page.keyboard.type("Sanne de Vries")
    await page.keyboard.press("Tab")
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("template-parameter-2")
    await page.keyboard.type("M-2026-0042")
    await page.keyboard.press("Enter")
    await page.locator("#reply-result .notice").waitFor({ timeout: 20_000 })

    const sent = await eventually(async () => ctx.graph.sent.filter((s) => s.body.to === waId), (list) => list.length === 1, 20_000)
    expect(sent[0]!.body).toMatchObject({
      messaging_product: "whatsapp", to: waId, type: "template",
      template: { name: "gemeente_follow_up", language: { code: "nl" }, components: [{ type: "body", parameters: [{ type: "text", text: "Sanne de Vries" }, { type: "text", text: "M-2026-0042" }] }] }
    })
    // The form is ready for the next one: back to the first template, its fields empty.
    expect(await page.locator("#template-parameter-1").inputValue()).toBe("")
    expect(errors).toEqual([])
  }, 120_000)

  it("shows the console in English when the agent picks it, and a focus outline on every control", async () => {
    const agent = await newAgent()
    const { page } = await openConsole()
    await page.goto(`${url()}/console/login?lang=en`)
    expect(await page.locator("h1").textContent()).toBe("Sign in to Loket")
    await signIn(page, agent.email)
    await page.waitForURL(`${url()}/console`)
    expect(await page.locator("html").getAttribute("lang")).toBe("en")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)
    expect(outline).toBe("solid")
    expect(await axeViolations(page)).toEqual([])
  })
})

describe("admin pages", () => {
  it("an admin changes an auto-reply and the office hours with the keyboard-reachable form; the API has it, audited as the admin; axe finds nothing", async () => {
    const admin = await newAgent("admin")
    const { page, errors } = await openConsole()
    await signIn(page, admin.email)
    await page.waitForURL(`${url()}/console`)
    await page.getByRole("link", { name: "Instellingen" }).click()
    await page.waitForURL(`${url()}/console/admin/settings`)
    expect(await axeViolations(page)).toEqual([])
    await page.locator("#outOfHours-text").fill("We zijn gesloten. We openen weer {{nextOpen}}.")
    await page.locator("#weekly-friday").fill("08:30-12:00")
    // The website's chat button: switched on for half of the visitors, not on the contact page.
    await page.locator("#widget-enabled").check()
    await page.locator("#widget-number").fill("31201234567")
    await page.locator("#widget-percentage").fill("50")
    await page.locator("#widget-exclude").fill("/contact/**")
    await page.locator("#widget-office-hours").selectOption("show-next-open")
    await page.locator("#weekly-friday").press("Enter")
    await page.waitForURL(`${url()}/console/admin/settings?saved=1`)
    const settings = (await adminApi("/settings")).body
    expect(settings.autoReplies.outOfHours.text).toBe("We zijn gesloten. We openen weer {{nextOpen}}.")
    expect(settings.officeHours.weekly.friday).toEqual([{ open: "08:30", close: "12:00" }])
    expect(settings.widget).toMatchObject({ enabled: true, number: "31201234567", percentage: 50, paths: { include: ["/**"], exclude: ["/contact/**"] }, officeHours: "show-next-open" })
    const audit = (await adminApi("/audit?limit=5")).body.items
    expect(audit[0]).toMatchObject({ action: "settings.update", actor: { kind: "agent", id: admin.id } })

    expect(errors).toEqual([])
    // A malformed day names the field (a 400 page) and keeps what was stored
    await page.locator("#weekly-monday").fill("half negen tot vijf")
    await page.locator("#weekly-monday").press("Enter")
    await page.locator("#problems").getByText("officeHours.weekly.monday").waitFor()
    // The summary names the field as the form does, its setting's path after it, linked to the field
    expect(await page.locator("#problems a[href='#weekly-monday']").textContent()).toBe("Maandag (officeHours.weekly.monday)")
    expect((await adminApi("/settings")).body.officeHours.weekly.monday).toEqual(settings.officeHours.weekly.monday)

    await page.getByRole("link", { name: "Medewerkers en vakteams" }).click()
    await page.waitForURL(`${url()}/console/admin/people`)
    expect(await axeViolations(page)).toEqual([])
    expect(errors).toEqual(["Failed to load resource: the server responded with a status of 400 (Bad Request)"])
  }, 120_000)

  it("an admin sets special dates, the follow-up, resident safety and retention with the keyboard; the API shows each; a bad value is shown at its field and the rest of the form is kept; axe finds nothing", async () => {
    expect((await adminApi("/templates/sync", { method: "POST" })).status).toBe(200)
    // Start from a stored special date, so the form also removes one.
    expect((await adminApi("/settings", { method: "PATCH", body: { officeHours: { overrides: { "2027-01-02": [{ open: "10:00", close: "12:00" }] } } } })).status).toBe(200)
    const admin = await newAgent("admin")
    const { page, errors } = await openConsole()
    await signIn(page, admin.email)
    await page.waitForURL(`${url()}/console`)
    await page.goto(`${url()}/console/admin/settings`)
    expect(await axeViolations(page)).toEqual([])
    const typeInto = async (id: string, text: string) => {
      await page.locator(`#${id}`).focus()
      await page.keyboard.press("Control+a")
      await page.keyboard.press("Delete")
      await page.keyboard.type(text)
    }
    const toggle = async (id: string, on: boolean) => {
      if ((await page.locator(`#${id}`).isChecked()) === on) return
      await page.locator(`#${id}`).focus()
      await page.keyboard.press("Space")
    }
    // Special hours: Christmas Eve morning only, New Year's Eve closed (empty hours), the stored date removed.
    await typeInto("override-new-date", "2026-12-24")
    await typeInto("override-new-hours", "08:30-12:00")
    await toggle("override-0-remove", true)
    await typeInto("closed-dates", "2026-12-31")
    // The follow-up: on, the approved template with its quick replies.
    await toggle("follow-up-enabled", true)
    await typeInto("follow-up-name", "gemeente_follow_up")
    await typeInto("follow-up-language", "nl")
    await typeInto("follow-up-buttons", "Ja, graag")
    await page.keyboard.press("Enter")
    await page.keyboard.type("Nee, dank u")
    // Resident safety: warn with our own words, mask for agents, links neutralised.
    await toggle("pii-warn", true)
    await typeInto("pii-text", "Stuur geen BSN via WhatsApp, gebruik Mijn Gemeente.")
    await toggle("pii-mask", true)
    await page.locator("#link-mode").focus()
    await page.locator("#link-mode").selectOption("neutralize")
    await typeInto("retention-days", "365")
    await page.locator("#retention-days").press("Enter")
    await page.waitForURL(`${url()}/console/admin/settings?saved=1`)

    const settings = (await adminApi("/settings")).body
    expect(settings.officeHours.overrides).toEqual({ "2026-12-24": [{ open: "08:30", close: "12:00" }] })
    expect(settings.officeHours.closedDates).toEqual(["2026-12-31"])
    expect(settings.followUp).toEqual({ enabled: true, template: { name: "gemeente_follow_up", language: "nl", buttons: ["Ja, graag", "Nee, dank u"] } })
    expect(settings.personalData).toMatchObject({ detect: true, warnResident: true, text: "Stuur geen BSN via WhatsApp, gebruik Mijn Gemeente.", maskForAgents: true })
    expect(settings.linkProtection.mode).toBe("neutralize")
    expect(settings.retention).toEqual({ messagesDays: 365 })
    // The office-hours preview has the closed date and the short day.
    const preview = (await adminApi("/office-hours?from=2026-12-24&days=8")).body
    expect(preview.closed).toContainEqual({ date: "2026-12-31", reason: expect.any(String) })
    expect(preview.open.filter((p: { from: string }) => p.from.startsWith("2026-12-24"))).toEqual([{ from: "2026-12-24T07:30:00.000Z", until: "2026-12-24T11:00:00.000Z" }])
    expect((await adminApi("/audit?limit=1")).body.items[0]).toMatchObject({ action: "settings.update", actor: { kind: "agent", id: admin.id } })

    // The form shows what is stored now: the special date with its hours, and the sections again pass axe.
    expect(await page.locator("#override-0-date").inputValue()).toBe("2026-12-24")
    expect(await page.locator("#override-0-hours").inputValue()).toBe("08:30-12:00")
    expect(await axeViolations(page)).toEqual([])

    // Bad values: 0 days and a date the calendar lacks (the API refuses both); its message sits at
    // each field, and what else was typed is still in the form.
    await typeInto("retention-days", "0")
    await typeInto("closed-dates", "2026-02-30")
    await typeInto("pii-text", "Een nieuwe waarschuwing")
    await page.locator("#retention-days").press("Enter")
    await page.locator("#retention-days-error").waitFor()
    expect(await page.locator("#retention-days-error").textContent()).toContain("expected a whole number of days from 1 to 36500")
    expect(await page.locator("#retention-days").getAttribute("aria-invalid")).toBe("true")
    expect(await page.locator("#retention-days").getAttribute("aria-describedby")).toContain("retention-days-error")
    expect(await page.locator("#closed-dates-error").textContent()).toContain("expected a real date as YYYY-MM-DD")
    expect(await page.locator("#closed-dates").inputValue()).toBe("2026-02-30")
    expect(await page.locator("#retention-days").inputValue()).toBe("0")
    expect(await page.locator("#pii-text").inputValue()).toBe("Een nieuwe waarschuwing")
    expect(await page.locator("#override-0-hours").inputValue()).toBe("08:30-12:00")
    expect(await page.locator("#problems").textContent()).toContain("retention.messagesDays")
    expect(await axeViolations(page)).toEqual([])
    const after = (await adminApi("/settings")).body
    expect(after.retention).toEqual({ messagesDays: 365 })
    expect(after.personalData.text).toBe("Stuur geen BSN via WhatsApp, gebruik Mijn Gemeente.")

    // Removing the special date with the keyboard; follow-up off again (other tests send templates).
    await typeInto("retention-days", "")
    await typeInto("closed-dates", "2026-12-31")
    await toggle("follow-up-enabled", false)
    await toggle("override-0-remove", true)
    await page.locator("#retention-days").press("Enter")
    await page.waitForURL(`${url()}/console/admin/settings?saved=1`)
    const last = (await adminApi("/settings")).body
    expect(last.officeHours.overrides).toEqual({})
    expect(last.retention).toEqual({ messagesDays: null })
    expect(last.personalData.text).toBe("Een nieuwe waarschuwing")
    expect(errors).toEqual(["Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"])
    // English texts for the new sections.
    await page.goto(`${url()}/console/language?to=en&back=/console/admin/settings`)
    await page.locator("legend", { hasText: "Resident safety and personal data" }).waitFor()
    await page.locator("label[for=retention-days]", { hasText: "Keep messages" }).waitFor()
    expect(await axeViolations(page)).toEqual([])
    await adminApi("/settings", { method: "PATCH", body: { linkProtection: { mode: "flag" }, personalData: { maskForAgents: false } } })
  }, 120_000)

  it("turning on the follow-up with a template Loket has not fetched is refused in Dutch at the field; the admin fetches the templates from the form with the keyboard, what was typed stays, and saving then works", async () => {
    const name = "gemeente_opvolging_nieuw"
    const admin = await newAgent("admin")
    const { page, errors } = await openConsole()
    await signIn(page, admin.email)
    await page.waitForURL(`${url()}/console`)
    await page.goto(`${url()}/console/admin/settings`)
    const typeInto = async (id: string, text: string) => {
      await page.locator(`#${id}`).focus()
      await page.keyboard.press("Control+a")
      await page.keyboard.press("Delete")
      await page.keyboard.type(text)
    }
    if (!(await page.locator("#follow-up-enabled").isChecked())) {
      await page.locator("#follow-up-enabled").focus()
      await page.keyboard.press("Space")
    }
    await typeInto("follow-up-name", name)
    await typeInto("follow-up-language", "nl")
    await page.locator("#follow-up-language").press("Enter")
    // Refused: the Dutch words for the code, at the template's field; nothing saved.
    await page.locator("#problems").waitFor()
    const problem = `Template „${name}” (nl) is niet bekend in Loket. Haal de templates op bij Meta (knop hieronder) of kies een goedgekeurde template.`
    expect(await page.locator("#problems").textContent()).toContain(problem)
    expect(await page.locator("#follow-up-name-error").textContent()).toBe(problem)
    expect(await page.locator("#follow-up-name").getAttribute("aria-invalid")).toBe("true")
    expect((await adminApi("/settings")).body.followUp.enabled).toBe(false)

    // Meta approves the template; the admin fetches the templates from the form, with the keyboard.
    ctx.graph.templates([...APPROVED_TEMPLATES, { name, language: "nl", status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "Heeft u nog een vraag?" }] }])
    await page.locator("#sync-templates").focus()
    await page.keyboard.press("Enter")
    await page.locator("#templates-notice").waitFor()
    const approvedCount = ((await adminApi("/templates")).body.items as Array<{ status: string }>).filter((t) => t.status === "APPROVED").length
    expect(await page.locator("#templates-notice").textContent()).toBe(
      `${APPROVED_TEMPLATES.length + 1} templates opgehaald bij Meta, ${approvedCount} goedgekeurd. Nog niet opgeslagen: sla de instellingen op.`)
    // What was typed is still there, and the template is offered.
    expect(await page.locator("#follow-up-name").inputValue()).toBe(name)
    expect(await page.locator("#follow-up-enabled").isChecked()).toBe(true)
    expect(await page.locator("#approved-templates option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toContain(name)
    expect(await axeViolations(page)).toEqual([])
    // Enter in a field saves (the form's default button), it does not fetch again.
    await page.locator("#follow-up-language").press("Enter")
    await page.waitForURL(`${url()}/console/admin/settings?saved=1`)
    expect((await adminApi("/settings")).body.followUp).toMatchObject({ enabled: true, template: { name, language: "nl" } })
    expect(errors).toEqual(["Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"])
    // Follow-up off again (other tests send templates).
    expect((await adminApi("/settings", { method: "PATCH", body: { followUp: { enabled: false } } })).status).toBe(200)
  }, 120_000)

  it("an agent gets 403 on the admin pages; an admin's form adds and deactivates an agent", async () => {
    const agent = await newAgent("agent")
    const agentCookie = await sessionCookie(agent.email)
    const refused = await fetch(`${url()}/console/admin/settings`, { headers: { cookie: agentCookie } })
    expect(refused.status).toBe(403)
    const admin = await newAgent("admin")
    const cookie = await sessionCookie(admin.email)
    const csrf = /data-csrf="([^"]+)"/.exec(await (await fetch(`${url()}/console/admin/people`, { headers: { cookie } })).text())![1]!
    const email = `nieuw${nextNumber()}@gemeente.example`
    const created = await fetch(`${url()}/console/admin/people`, {
      method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, name: "Nieuwe Collega", email, role: "agent", password: PASSWORD, team: "" })
    })
    expect(created.status).toBe(303)
    const added = (await adminApi("/agents")).body.items.find((a: { email: string }) => a.email === email)
    expect(added).toMatchObject({ name: "Nieuwe Collega", role: "agent", active: true, hasPassword: true })
    const theirCookie = await sessionCookie(email)
    const deactivated = await fetch(`${url()}/console/admin/people/${added.id}/deactivate`, {
      method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrf })
    })
    expect(deactivated.status).toBe(303)
    expect((await fetch(`${url()}/api/v1/me`, { headers: { cookie: theirCookie } })).status).toBe(401)
  })
})

