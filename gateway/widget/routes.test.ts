/** The public widget routes and the campaign admin API, over real HTTP on a real SQLite file. */
import { get as httpGet, type IncomingHttpHeaders } from "node:http"
import { gunzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, auth, startGateway, type TestGateway } from "../../test/support/gateway.ts"
import { decodeQrPng } from "../../test/support/qr-decode.ts"
import { closedUntilTomorrow, setWidgetSettings, WIDGET_NUMBER } from "../../test/support/widget.ts"

let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway()
})
afterAll(async () => {
  await gw?.close()
})

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gw.url}${path}`, { headers, redirect: "manual" })
const link = (text: string) => `https://wa.me/${WIDGET_NUMBER}?text=${encodeURIComponent(text)}`


describe("GET /widget.js", () => {
  it("is a script of at most 6 KiB gzipped, cacheable, revalidated by ETag", async () => {
    // node:http, not fetch: fetch would undo the gzip before the bytes can be counted
    const { status, headers, body } = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      httpGet(`${gw.url}/widget.js`, { headers: { "accept-encoding": "gzip" } }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      }).on("error", reject)
    })
    expect(status).toBe(200)
    expect(headers["content-type"]).toMatch(/^text\/javascript/)
    expect(headers["content-encoding"]).toBe("gzip")
    expect(body.byteLength).toBeLessThanOrEqual(6 * 1024)
    expect(gunzipSync(body).toString()).toContain("data-loket-widget")
    const again = await get("/widget.js", { "if-none-match": String(headers.etag) })
    expect(again.status).toBe(304)
  })
})

describe("GET /widget/config", () => {
  it("says whether the button shows on a page, with that page's text; the kill switch hides it", async () => {
    await setWidgetSettings(gw, { pageTexts: [{ path: "/afval/**", text: "Vraag over afval" }], paths: { include: ["/**"], exclude: ["/intern/**"] } })
    const page = await get("/widget/config?path=/afval/grofvuil")
    expect(page.status).toBe(200)
    expect(page.headers.get("cache-control")).toBe("public, max-age=60")
    expect(await page.json()).toMatchObject({ show: true, text: "Vraag over afval", link: link("Vraag over afval"), percentage: 100, officeHours: "ignore", nextOpen: null })
    expect(await (await get("/widget/config?path=/intern/rooster")).json()).toMatchObject({ show: false, reason: "path_excluded" })
    await setWidgetSettings(gw, { enabled: false })
    expect(await (await get("/widget/config?path=/")).json()).toMatchObject({ show: false, reason: "disabled" })
  })

  it("office hours from the settings: hidden while closed, or shown with the next opening in words", async () => {
    const { officeHours, tomorrow } = closedUntilTomorrow()
    await setWidgetSettings(gw, { officeHours: "hide" }, { officeHours })
    expect(await (await get("/widget/config")).json()).toMatchObject({ show: false, reason: "closed", open: false })
    await setWidgetSettings(gw, { officeHours: "show-next-open" }, { officeHours })
    const shown = await (await get("/widget/config")).json() as { show: boolean; open: boolean; nextOpen: string; nextOpenText: { nl: string; en: string } }
    expect(shown).toMatchObject({ show: true, open: false })
    const day = Number(tomorrow.slice(8, 10))
    expect(shown.nextOpenText.nl).toMatch(new RegExp(`^[a-z]+dag ${day} [a-z]+ om 08:30$`))
    expect(shown.nextOpenText.en).toMatch(new RegExp(`^[A-Z][a-z]+day ${day} [A-Z][a-z]+ at 08:30$`))
    expect(new Date(shown.nextOpen).getTime()).toBeGreaterThan(Date.now())
    // open now (the defaults' weekday hours are not needed: an override for today all day)
    const today = new Date(Date.parse(`${tomorrow}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
    await setWidgetSettings(gw, { officeHours: "hide" }, { officeHours: { ...(officeHours as object), overrides: { [today]: [{ open: "00:00", close: "23:59" }] } } })
    expect(await (await get("/widget/config")).json()).toMatchObject({ show: true, open: true, nextOpen: null, nextOpenText: null })
  })

  it("answers CORS only for the configured site origins", async () => {
    await setWidgetSettings(gw, { origins: ["https://www.gemeente.nl"] })
    const ours = await get("/widget/config", { origin: "https://www.gemeente.nl" })
    expect(ours.headers.get("access-control-allow-origin")).toBe("https://www.gemeente.nl")
    const other = await get("/widget/config", { origin: "https://evil.example" })
    expect(other.headers.get("access-control-allow-origin")).toBeNull()
    await setWidgetSettings(gw)
    expect((await get("/widget/config", { origin: "https://evil.example" })).headers.get("access-control-allow-origin")).toBe("*")
  })

  it("422 naming path when it is not a path", async () => {
    const answer = await get("/widget/config?path=https://x")
    expect(answer.status).toBe(422)
    const body = await answer.json() as { error: { code: string; details: Array<{ path: string }> } }
    expect(body.error.code).toBe("invalid_query")
    expect(body.error.details.map((d) => d.path)).toEqual(["path"])
  })
})

describe("GET /widget/snippet.html", () => {
  it("is the plain wa.me link, escaped, in a data-loket-widget host", async () => {
    await setWidgetSettings(gw)
    const answer = await get(`/widget/snippet.html?text=${encodeURIComponent('Vraag over "afval" <b>')}`)
    expect(answer.status).toBe(200)
    expect(answer.headers.get("content-type")).toMatch(/^text\/html/)
    const body = await answer.text()
    expect(body).toContain("data-loket-widget")
    expect(body).toContain(`href="${link('Vraag over "afval" <b>')}"`)
    expect(body).toContain(">Chat via WhatsApp</a>")
  })

  it("speaks the settings' language unless lang says otherwise", async () => {
    await setWidgetSettings(gw, {}, { language: "en" })
    expect(await (await get("/widget/snippet.html")).text()).toContain('<div data-loket-widget lang="en">')
    expect(await (await get("/widget/qr.svg")).text()).toContain("QR code: chat with the municipality on WhatsApp</title>")
    expect(await (await get("/widget/qr.svg?lang=nl")).text()).toContain("QR-code: chat via WhatsApp met de gemeente</title>")
  })

  it("409 while the widget has no number", async () => {
    await setWidgetSettings(gw, { enabled: false, number: "" })
    const answer = await get("/widget/snippet.html")
    expect(answer.status).toBe(409)
    expect((await answer.json() as { error: { code: string } }).error.code).toBe("widget_not_configured")
  })
})

describe("GET /widget/qr.svg and qr.png", () => {
  it("the PNG decodes to the wa.me link with the text; the SVG has a title and an accessible name", async () => {
    await setWidgetSettings(gw)
    const png = await get(`/widget/qr.png?text=${encodeURIComponent("Vraag over parkeren")}&size=300&margin=4`)
    expect(png.status).toBe(200)
    expect(png.headers.get("content-type")).toBe("image/png")
    expect(decodeQrPng(new Uint8Array(await png.arrayBuffer()))).toBe(link("Vraag over parkeren"))
    const svg = await get("/widget/qr.svg?lang=en")
    expect(svg.headers.get("content-type")).toMatch(/^image\/svg\+xml/)
    const text = await svg.text()
    expect(text).toMatch(/^<svg role="img" aria-labelledby="loket-qr-title" /)
    expect(text).toContain('<title id="loket-qr-title">QR code: chat with the municipality on WhatsApp</title>')
  })

  it("a campaign's code holds its counted link", async () => {
    await setWidgetSettings(gw)
    const png = await get("/widget/qr.png?campaign=poster-stadhuis")
    expect(decodeQrPng(new Uint8Array(await png.arrayBuffer()))).toBe(`${gw.url}/r/poster-stadhuis`)
  })

  it("422 naming the field: text too long, size and margin out of range", async () => {
    await setWidgetSettings(gw)
    const long = await get(`/widget/qr.svg?text=${"a".repeat(501)}`)
    expect(long.status).toBe(422)
    expect((await long.json() as { error: { details: Array<{ path: string; message: string }> } }).error.details).toEqual([
      { path: "text", message: expect.stringContaining("500") }
    ])
    const emoji = await get(`/widget/qr.svg?text=${encodeURIComponent("🙂".repeat(250))}`)
    expect(emoji.status).toBe(422)
    const sized = await get("/widget/qr.png?size=10000&margin=40")
    expect(sized.status).toBe(422)
    const details = (await sized.json() as { error: { details: Array<{ path: string }> } }).error.details
    expect(details.map((d) => d.path).sort()).toEqual(["margin", "size"])
  })
})

describe("campaigns", () => {
  it("an admin creates a campaign; each scan of /r/:id counts and leads to wa.me with its text, without cookies", async () => {
    await setWidgetSettings(gw)
    const post = (body: unknown, headers: Record<string, string> = auth) =>
      fetch(`${gw.url}/api/v1/campaigns`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) })
    expect((await post({ id: "brief-wmo", name: "Brief Wmo" }, {})).status).toBe(401)
    const created = await post({ id: "brief-wmo", name: "Brief Wmo", text: "Vraag over mijn Wmo-brief" })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ id: "brief-wmo", scans: 0, link: "/r/brief-wmo" })
    expect((await post({ id: "brief-wmo", name: "again" })).status).toBe(409)
    const bad = await post({ id: "Brief WMO!", name: "" })
    expect(bad.status).toBe(422)
    expect((await bad.json() as { error: { details: Array<{ path: string }> } }).error.details.map((d) => d.path).sort()).toEqual(["id", "name"])

    for (let i = 0; i < 3; i++) {
      const scan = await get("/r/brief-wmo")
      expect(scan.status).toBe(302)
      expect(scan.headers.get("location")).toBe(link("Vraag over mijn Wmo-brief"))
      expect(scan.headers.get("set-cookie")).toBeNull()
      expect(scan.headers.get("cache-control")).toBe("no-store")
    }
    const listed = await (await fetch(`${gw.url}/api/v1/campaigns`, { headers: auth })).json() as { items: Array<{ id: string; scans: number; lastScanAt: string | null }> }
    expect(listed.items).toEqual([expect.objectContaining({ id: "brief-wmo", scans: 3, lastScanAt: expect.any(String) })])

    const unknown = await get("/r/old-poster")
    expect(unknown.status).toBe(302)
    expect(unknown.headers.get("location")).toBe(link("Hallo gemeente, ik heb een vraag"))

    const patched = await fetch(`${gw.url}/api/v1/campaigns/brief-wmo`, { method: "PATCH", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: null }) })
    expect(await patched.json()).toMatchObject({ text: null, scans: 3 })
    expect((await get("/r/brief-wmo")).headers.get("location")).toBe(link("Hallo gemeente, ik heb een vraag"))
    expect((await fetch(`${gw.url}/api/v1/campaigns/brief-wmo`, { method: "DELETE", headers: auth })).status).toBe(204)
    expect((await fetch(`${gw.url}/api/v1/campaigns/brief-wmo`, { headers: auth })).status).toBe(404)
    // Every change is in the audit log, newest first, with who did it
    const audit = await (await fetch(`${gw.url}/api/v1/audit?target=campaign:brief-wmo`, { headers: auth })).json() as { items: Array<{ action: string; actor: { kind: string }; before: unknown; after: unknown }> }
    expect(audit.items.map((e) => e.action)).toEqual(["campaign.delete", "campaign.update", "campaign.create"])
    expect(audit.items[1]).toMatchObject({ before: { text: "Vraag over mijn Wmo-brief" }, after: { text: null } })
  })

  it("a body over the limit is refused with 413", async () => {
    const answer = await fetch(`${gw.url}/api/v1/campaigns`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ id: "x", name: "y".repeat(20_000) }) })
    expect(answer.status).toBe(413)
    expect((await answer.json() as { error: { code: string } }).error.code).toBe("payload_too_large")
  })
})

describe("GET /widget (the IT team's page)", () => {
  it("asks for the admin token, then shows the settings, the snippet, posters and campaign counts", async () => {
    await setWidgetSettings(gw, { percentage: 25 })
    const anonymous = await get("/widget")
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic /)
    expect((await get("/widget", { authorization: `Basic ${Buffer.from("it:wrong").toString("base64")}` })).status).toBe(401)
    await fetch(`${gw.url}/api/v1/campaigns`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ id: "balie", name: "Balie stadhuis" }) })
    await get("/r/balie")
    const page = await get("/widget", { authorization: `Basic ${Buffer.from(`it:${ADMIN_TOKEN}`).toString("base64")}` })
    expect(page.status).toBe(200)
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'")
    const body = await page.text()
    expect(body.startsWith("<!doctype html>")).toBe(true)
    expect(body).toContain(`&lt;script async src=&quot;${gw.url}/widget.js&quot;&gt;&lt;/script&gt;`)
    expect(body).toContain("25 %")
    expect(body).toMatch(/<td>Balie stadhuis<\/td><td><code>[^<]*\/r\/balie<\/code><\/td><td>1<\/td>/)
    expect(body).toContain('href="/widget/poster.svg?campaign=balie"')
    expect(body).toContain('<html lang="nl">')
    expect(body).toContain("<h1>Chatknop op de website</h1>")
    // In English on request, or for an admin who chose English in the console (its language cookie).
    const basic = { authorization: `Basic ${Buffer.from(`it:${ADMIN_TOKEN}`).toString("base64")}` }
    for (const english of [await get("/widget?lang=en", basic), await get("/widget", { ...basic, cookie: "loket_lang=en" })]) {
      const text = await english.text()
      expect(text).toContain('<html lang="en">')
      expect(text).toContain("<h1>Chat button on the website</h1>")
      expect(text).toContain("<th scope=\"row\">Share of visitors (percentage)</th><td>25 %</td>")
      expect(text).toContain("<caption>Campaigns and their scans</caption>")
      expect(text).not.toContain("Instellingen")
    }
  })
})

describe("GET /widget/poster.svg", () => {
  it("an A4 SVG with a title, the municipality's heading and the link written out", async () => {
    await setWidgetSettings(gw)
    const answer = await get(`/widget/poster.svg?campaign=balie&heading=${encodeURIComponent("Vragen over afval?")}`)
    expect(answer.status).toBe(200)
    const svg = await answer.text()
    expect(svg).toMatch(/^<svg [^>]*width="210mm" height="297mm"/)
    expect(svg).toContain("<title id=\"loket-poster-title\">Poster: chat via WhatsApp met de gemeente</title>")
    expect(svg).toContain(">Vragen over afval?</text>")
    expect(svg).toContain(`${new URL(gw.url).host}/r/balie</text>`)
    expect((await get("/widget/poster.svg?heading=")).status).toBe(422)
  })
})
