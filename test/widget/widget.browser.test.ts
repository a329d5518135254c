/**
 * The widget in real headless Chromium, on a municipal page of another origin with a strict CSP
 * (test/support/browser.ts): what a resident with a mouse, a keyboard or a phone gets, what axe
 * finds, and what the rollout settings do. The gateway is real (in-process, SQLite).
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import type { Browser, BrowserContext, BrowserContextOptions, Frame, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchChromium, RECORD_VIOLATIONS, startHostSite, type HostSite } from "../support/browser.ts"
import { ADMIN_TOKEN, startGateway, type TestGateway } from "../support/gateway.ts"
import { decodeQrPng } from "../support/qr-decode.ts"
import { closedUntilTomorrow, setWidgetSettings, WIDGET_NUMBER } from "../support/widget.ts"

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } }
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
const link = (text: string) => `https://wa.me/${WIDGET_NUMBER}?text=${encodeURIComponent(text)}`

let gw: TestGateway
let site: HostSite
let browser: Browser
const contexts: Array<BrowserContext> = []

beforeAll(async () => {
  gw = await startGateway()
  site = await startHostSite(gw.url)
  browser = await launchChromium()
}, 90_000)
afterAll(async () => {
  await browser?.close()
  await site?.close()
  await gw?.close()
})

interface Visit {
  readonly page: Page
  readonly context: BrowserContext
  /** Every URL the page asked for. */
  readonly requests: Array<string>
  readonly consoleErrors: Array<string>
  readonly violations: () => Promise<Array<string>>
}

/** Opens `path` on the host site and waits until the widget has decided (shown or hidden). */
async function visit(path: string, options: BrowserContextOptions = DESKTOP, bucket?: number): Promise<Visit> {
  const context = await browser.newContext(options)
  contexts.push(context)
  await context.addInitScript(RECORD_VIOLATIONS)
  if (bucket !== undefined) await context.addInitScript(`sessionStorage.setItem("loket-widget-bucket", "${bucket}")`)
  const page = await context.newPage()
  const requests: Array<string> = []
  const consoleErrors: Array<string> = []
  page.on("request", (request) => requests.push(request.url()))
  page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()))
  await page.goto(`${site.origin}${path}`)
  await page.waitForSelector("script[data-loket-state]", { state: "attached", timeout: 20_000 })
  return { page, context, requests, consoleErrors, violations: () => page.evaluate(() => (window as unknown as { __violations: Array<string> }).__violations) }
}

async function axeViolations(page: Page | Frame): Promise<Array<string>> {
  await page.evaluate(AXE)
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Array<{ id: string; nodes: Array<unknown> }> }> } }).axe
    const result = await axe.run(document, { iframes: false, runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
    return result.violations.map((v) => `${v.id} (${v.nodes.length})`)
  })
}

/** No CSP violation, no console error, no request to any host but the page's and the gateway's, no cookie. */
async function expectClean(v: Visit) {
  expect(await v.violations()).toEqual([])
  expect(v.consoleErrors).toEqual([])
  expect(v.requests.filter((url) => !url.startsWith(site.origin) && !url.startsWith(gw.url))).toEqual([])
  expect(await v.context.cookies()).toEqual([])
}

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => {})))
})

describe("on a desktop", () => {
  it("the button opens a dialog whose QR code decodes to the wa.me link; axe finds nothing; no CSP violation", async () => {
    await setWidgetSettings(gw, { origins: [site.origin], pageTexts: [{ path: "/afval/**", text: "Vraag over grofvuil" }] })
    const v = await visit("/afval/grofvuil?inline=1")
    const button = v.page.getByRole("button", { name: "Chat via WhatsApp" })
    await expect(button.count()).resolves.toBe(1)
    // The no-JavaScript link inside the host is replaced by the button
    await expect(v.page.getByRole("link", { name: "Chat via WhatsApp" }).count()).resolves.toBe(0)
    expect(await axeViolations(v.page)).toEqual([])

    await button.click()
    const dialog = v.page.getByRole("dialog", { name: "Chat via WhatsApp" })
    await dialog.waitFor({ state: "visible" })
    const image = dialog.getByRole("img", { name: /QR-code/ })
    await v.page.waitForFunction(() => {
      const img = document.querySelector("[data-loket-widget]")?.shadowRoot?.querySelector("img")
      return img !== null && img !== undefined && img.complete && img.naturalWidth > 0
    }, undefined, { timeout: 20_000 })
    expect(decodeQrPng(await image.screenshot())).toBe(link("Vraag over grofvuil"))
    expect(await dialog.getByRole("link").getAttribute("href")).toBe(link("Vraag over grofvuil"))
    expect(await axeViolations(v.page)).toEqual([])
    await expectClean(v)
  })

  it("keyboard only: Tab reaches the button, Enter opens the dialog, focus stays inside, Escape closes and focus returns", async () => {
    await setWidgetSettings(gw)
    const v = await visit("/contact?inline=1")
    const activeLabel = () => v.page.evaluate(() => {
      let el: Element | null = document.activeElement
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
      return el === null ? "" : `${el.tagName.toLowerCase()}:${(el.textContent ?? "").trim()}`
    })
    const dialogOpen = () => v.page.evaluate(() => document.querySelector("[data-loket-widget]")!.shadowRoot!.querySelector("dialog")!.open)
    await v.page.keyboard.press("Tab") // the site's own link first
    await v.page.keyboard.press("Tab")
    expect(await activeLabel()).toBe("button:Chat via WhatsApp")
    const outline = await v.page.evaluate(() => {
      const button = document.querySelector("[data-loket-widget]")!.shadowRoot!.querySelector("button")!
      return getComputedStyle(button).outlineStyle + " " + getComputedStyle(button).outlineWidth
    })
    expect(outline).toBe("solid 3px") // a visible focus indicator
    await v.page.keyboard.press("Enter")
    expect(await dialogOpen()).toBe(true)
    // Two focusable things in the dialog (Close, the link): Tab and Shift+Tab cycle between them, never leaving
    const focused: Array<string> = [await activeLabel()]
    for (const key of ["Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]) {
      await v.page.keyboard.press(key)
      focused.push(await activeLabel())
    }
    const close = "button:Sluiten"
    const open = "a:Of open WhatsApp op deze computer (opent in een nieuw venster)"
    expect(focused).toEqual([close, open, close, open, close, open, close])
    await v.page.keyboard.press("Escape")
    expect(await dialogOpen()).toBe(false)
    expect(await activeLabel()).toBe("button:Chat via WhatsApp")
    await expectClean(v)
  })

  it("speaks English on an English page, floats when the page has no host element, and honours reduced motion", async () => {
    await setWidgetSettings(gw)
    const v = await visit("/en/contact?lang=en", { ...DESKTOP, reducedMotion: "reduce" })
    await v.page.getByRole("button", { name: "Chat via WhatsApp" }).click()
    const dialog = v.page.getByRole("dialog")
    await dialog.waitFor({ state: "visible" })
    expect(await dialog.getByRole("button").textContent()).toBe("Close")
    expect(await dialog.getByRole("img").getAttribute("alt")).toBe("QR code that opens a WhatsApp chat with the municipality")
    const { position, animation } = await v.page.evaluate(() => {
      const host = document.querySelector("[data-loket-floating]")!
      return { position: getComputedStyle(host).position, animation: getComputedStyle(host.shadowRoot!.querySelector("dialog")!).animationName }
    })
    expect(position).toBe("fixed")
    expect(animation).toBe("none")
    await expectClean(v)
  })
})

describe("on a phone", () => {
  it("the button is a link straight to wa.me with the page's text", async () => {
    await setWidgetSettings(gw)
    const v = await visit(`/paspoort?inline=1&text=${encodeURIComponent("Vraag over mijn paspoort")}`, PHONE)
    const button = v.page.getByRole("link", { name: "Chat via WhatsApp" })
    expect(await button.getAttribute("href")).toBe(link("Vraag over mijn paspoort"))
    expect(await v.page.getByRole("button").count()).toBe(0)
    expect(await axeViolations(v.page)).toEqual([])
    await expectClean(v)
  })
})

describe("rollout", () => {
  const state = (v: Visit) => v.page.evaluate(() => document.querySelector("script[data-loket-state]")!.getAttribute("data-loket-state"))
  const buttons = (v: Visit) => v.page.getByRole("button", { name: "Chat via WhatsApp" }).count()

  it("the kill switch hides the button (and the fallback link) without touching the site", async () => {
    await setWidgetSettings(gw, { enabled: false })
    const v = await visit("/afval?inline=1")
    expect(await state(v)).toBe("hidden")
    expect(await buttons(v)).toBe(0)
    expect(await v.page.getByRole("link", { name: "Chat via WhatsApp" }).count()).toBe(0)
    await expectClean(v)
  })

  it("percentage 0 shows it to nobody, 100 to everybody, 50 to the lower half of the draws, the same on every page of a session", async () => {
    await setWidgetSettings(gw, { percentage: 0 })
    for (const bucket of [0, 99]) expect(await buttons(await visit("/", DESKTOP, bucket))).toBe(0)
    await setWidgetSettings(gw, { percentage: 100 })
    for (const bucket of [0, 99]) expect(await buttons(await visit("/", DESKTOP, bucket))).toBe(1)
    await setWidgetSettings(gw, { percentage: 50 })
    expect(await buttons(await visit("/", DESKTOP, 49))).toBe(1)
    expect(await buttons(await visit("/", DESKTOP, 50))).toBe(0)
    // no draw given: the widget draws once and keeps it for the session
    const v = await visit("/")
    const drawn = await v.page.evaluate(() => sessionStorage.getItem("loket-widget-bucket"))
    expect(drawn).toMatch(/^\d{1,2}$/)
    const shown = await buttons(v)
    expect(shown).toBe(Number(drawn) < 50 ? 1 : 0)
    await v.page.goto(`${site.origin}/afval`)
    await v.page.waitForSelector("script[data-loket-state]", { state: "attached" })
    expect(await v.page.evaluate(() => sessionStorage.getItem("loket-widget-bucket"))).toBe(drawn)
    expect(await buttons(v)).toBe(shown)
  })

  it("office hours: hidden while closed, or shown with when the contact centre answers again", async () => {
    const { officeHours } = closedUntilTomorrow()
    await setWidgetSettings(gw, { officeHours: "hide" }, { officeHours })
    expect(await buttons(await visit("/"))).toBe(0)
    await setWidgetSettings(gw, { officeHours: "show-next-open" }, { officeHours })
    const config = await (await fetch(`${gw.url}/widget/config`)).json() as { nextOpenText: { nl: string; en: string } }
    const v = await visit("/")
    await v.page.getByRole("button", { name: "Chat via WhatsApp" }).click()
    const dialog = v.page.getByRole("dialog")
    await dialog.waitFor({ state: "visible" })
    expect(await dialog.getByText(/^We antwoorden vanaf /).textContent()).toBe(`We antwoorden vanaf ${config.nextOpenText.nl}.`)
    expect(await axeViolations(v.page)).toEqual([])
    const phone = await visit("/?lang=en", PHONE)
    expect(await phone.page.getByText(/^We answer from /).textContent()).toBe(`We answer from ${config.nextOpenText.en}.`)
    await expectClean(phone)
  })

  it("pages outside the include patterns get no button", async () => {
    await setWidgetSettings(gw, { paths: { include: ["/afval/**"], exclude: ["/afval/intern"] } })
    expect(await buttons(await visit("/paspoort"))).toBe(0)
    expect(await buttons(await visit("/afval/intern"))).toBe(0)
    expect(await buttons(await visit("/afval/grofvuil"))).toBe(1)
  })
})

describe("for the IT team", () => {
  it("the /widget page passes axe, its preview renders the button, and the A4 poster's QR code decodes to the campaign link", async () => {
    await setWidgetSettings(gw)
    const context = await browser.newContext({ ...DESKTOP, httpCredentials: { username: "it", password: ADMIN_TOKEN } })
    contexts.push(context)
    const page = await context.newPage()
    await page.goto(`${gw.url}/widget`)
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Chatknop op de website")
    const preview = page.frameLocator("iframe")
    await preview.getByRole("button", { name: "Chat via WhatsApp" }).waitFor({ timeout: 20_000 })
    expect(await axeViolations(page)).toEqual([])
    expect(await axeViolations(page.frames().find((f) => f.url().endsWith("/widget/preview"))!)).toEqual([])

    // As an image in a page (Chromium does not screenshot a bare SVG document), at A4's 96 dpi size
    await page.setContent(`<img alt="poster" width="794" height="1123" src="${gw.url}/widget/poster.svg?campaign=balie">`, { waitUntil: "load" })
    expect(decodeQrPng(await page.locator("img").screenshot())).toBe(`${gw.url}/r/balie`)
  })
})
