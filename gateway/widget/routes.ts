/**
 * The public widget routes (no auth): `GET /widget.js`, `GET /widget/config`,
 * `GET /widget/snippet.html`, `GET /widget/qr.svg`, `GET /widget/qr.png`. Nothing here reads or
 * writes residents' data; the config answer is the same for every visitor of a page (cacheable).
 */
import { type Context, Hono } from "hono"
import { compress } from "hono/compress"
import { cors } from "hono/cors"
import { etag } from "hono/etag"
import { html } from "hono/html"
import { widgetSettingsNow } from "../../actors/widget/widget-settings.ts"
import { textForPath, widgetConfig, type WidgetSettingsInput } from "../../domain/widget/config.ts"
import { normalizeNumber, waMeLink } from "../../domain/widget/link.ts"
import { jsonError } from "../http/errors.ts"
import { decodeWith } from "../http/validate.ts"
import type { AppRuntime } from "../Runtime.ts"
import { fitsQr, qrPng, qrSvg } from "./qr.ts"
import { ConfigQuery, PosterQuery, QrQuery, SnippetQuery } from "./schemas.ts"
import { posterSvg } from "./poster.ts"
import { widgetScript } from "./script.ts"
import { SERVER_TEXTS } from "./texts.ts"

/** The kill switch reaches every site within this many seconds. */
export const CONFIG_MAX_AGE = 60
const decodeConfig = decodeWith(ConfigQuery)
const decodeSnippet = decodeWith(SnippetQuery)
const decodeQr = decodeWith(QrQuery)
const decodePoster = decodeWith(PosterQuery)

const invalidQuery = (c: Context, details: ReadonlyArray<{ path: string; message: string }>) =>
  jsonError(c, 422, "invalid_query", `Invalid query: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}.`, details)

const notConfigured = (c: Context) =>
  jsonError(c, 409, "widget_not_configured", "The widget has no WhatsApp number yet: set widget.number in the settings (international format, e.g. 31612345678).")

export function widgetRoutes(runtime: AppRuntime) {
  const read = () => runtime.runPromise(widgetSettingsNow)
  const settings = async () => (await read()).widget

  /** The page's origin is allowed when it is one of `widget.origins`; without that list, any. */
  const allowedOrigin = async (origin: string) => {
    const origins = (await settings()).origins
    return origins === undefined || origins.length === 0 ? "*" : origins.includes(origin) ? origin : null
  }

  /** What a QR code or snippet links to: a campaign's counted link, or wa.me with the text. */
  const qrContent = (c: Context, current: WidgetSettingsInput, query: { text?: string; campaign?: string }) =>
    query.campaign !== undefined ? `${new URL(c.req.url).origin}/r/${query.campaign}` : waMeLink(current.number, query.text ?? current.text)

  async function qr(c: Context, kind: "svg" | "png") {
    const decoded = decodeQr(c.req.query())
    if (!decoded.ok) return invalidQuery(c, decoded.details)
    const query = decoded.value
    const { widget: current, language } = await read()
    if (query.campaign === undefined && normalizeNumber(current.number) === "") return notConfigured(c)
    const content = qrContent(c, current, query)
    if (!fitsQr(content)) {
      return invalidQuery(c, [{ path: "text", message: "too long for a QR code once URL-encoded (non-Latin letters and emoji take up to 12 characters each): shorten it" }])
    }
    const options = { size: query.size ?? 512, margin: query.margin ?? 4, title: SERVER_TEXTS[query.lang ?? language].qrTitle }
    const headers = { "cache-control": "public, max-age=300", "cross-origin-resource-policy": "cross-origin" }
    return kind === "svg"
      ? c.body(await qrSvg(content, options), 200, { ...headers, "content-type": "image/svg+xml; charset=utf-8" })
      : c.body(new Uint8Array(await qrPng(content, options)), 200, { ...headers, "content-type": "image/png" })
  }

  return new Hono()
    .get("/widget.js", compress(), etag(), async function serveWidgetScript(c) {
      const script = await widgetScript()
      return c.body(script.text, 200, {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=300",
        "cross-origin-resource-policy": "cross-origin",
        "x-content-type-options": "nosniff",
        etag: script.etag
      })
    })
    .use("/widget/config", cors({ origin: allowedOrigin, allowMethods: ["GET"], maxAge: 600 }))
    .get("/widget/config", async function widgetConfigForPage(c) {
      const decoded = decodeConfig(c.req.query())
      if (!decoded.ok) return invalidQuery(c, decoded.details)
      const { widget, now, timezone, nextOpenText } = await read()
      const answer = widgetConfig(widget, { path: decoded.value.path ?? "/", now })
      c.header("cache-control", `public, max-age=${CONFIG_MAX_AGE}`)
      // Vary: Origin comes from the cors middleware when the answer names an origin.
      return c.json({ ...answer, timezone, nextOpenText: answer.nextOpen === null ? null : nextOpenText })
    })
    .get("/widget/snippet.html", async function noScriptSnippet(c) {
      const decoded = decodeSnippet(c.req.query())
      if (!decoded.ok) return invalidQuery(c, decoded.details)
      const { widget: current, language } = await read()
      if (normalizeNumber(current.number) === "") return notConfigured(c)
      const lang = decoded.value.lang ?? language
      const link = waMeLink(current.number, decoded.value.text ?? textForPath(current, "/"))
      const snippet = html`<div data-loket-widget lang="${lang}"><a href="${link}" rel="noopener">${SERVER_TEXTS[lang].link}</a></div>\n`
      return c.html(snippet, 200, { "cache-control": "public, max-age=300" })
    })
    .get("/widget/qr.svg", function qrCodeSvg(c) {
      return qr(c, "svg")
    })
    .get("/widget/qr.png", function qrCodePng(c) {
      return qr(c, "png")
    })
    .get("/widget/poster.svg", async function a4Poster(c) {
      const decoded = decodePoster(c.req.query())
      if (!decoded.ok) return invalidQuery(c, decoded.details)
      const query = decoded.value
      const { widget: current, language } = await read()
      if (query.campaign === undefined && normalizeNumber(current.number) === "") return notConfigured(c)
      const content = qrContent(c, current, query)
      if (!fitsQr(content)) return invalidQuery(c, [{ path: "text", message: "too long for a QR code once URL-encoded: shorten it" }])
      const lang = query.lang ?? language
      const svg = await posterSvg({ heading: query.heading ?? SERVER_TEXTS[lang].posterHeading, content, lang })
      return c.body(svg, 200, {
        "content-type": "image/svg+xml; charset=utf-8",
        "content-disposition": `inline; filename="poster-${query.campaign ?? "whatsapp"}.svg"`,
        "cache-control": "public, max-age=300",
        "cross-origin-resource-policy": "cross-origin"
      })
    })
}
