/**
 * Real headless Chromium for the widget's tests and bench: Debian's `/usr/bin/chromium` driven by
 * playwright-core (never a downloaded browser), and a host page on a second loopback server — a
 * different origin from the gateway — served with a strict Content-Security-Policy that allows
 * only the gateway for scripts, images and connections and no styles at all.
 */
import { createServer, type Server } from "node:http"
import { type Browser, chromium } from "playwright-core"

export const CHROMIUM = process.env.LOKET_TEST_CHROMIUM ?? "/usr/bin/chromium"
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"
]

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 60_000 })

export interface HostSite {
  readonly origin: string
  readonly csp: string
  readonly close: () => Promise<void>
}

/**
 * Any path is a municipal page embedding the widget. Query: `lang` (default nl), `inline=1` puts
 * the button in a `data-loket-widget` element holding the no-JavaScript link (else it floats),
 * `text` sets that element's `data-loket-text`.
 */
export async function startHostSite(gatewayUrl: string): Promise<HostSite> {
  const csp = [
    "default-src 'none'", `script-src ${gatewayUrl}`, `img-src ${gatewayUrl}`, `connect-src ${gatewayUrl}`,
    "style-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"
  ].join("; ")
  const server: Server = createServer(function hostPage(req, res) {
    const url = new URL(req.url ?? "/", "http://host")
    if (url.pathname === "/favicon.ico") {
      res.writeHead(404).end()
      return
    }
    const lang = url.searchParams.get("lang") ?? "nl"
    const text = url.searchParams.get("text")
    const host = url.searchParams.get("inline") === "1"
      ? `<div data-loket-widget${text === null ? "" : ` data-loket-text="${text.replace(/[<>&"]/g, "")}"`}><a href="https://wa.me/31201234567">Chat via WhatsApp</a></div>`
      : ""
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": csp })
    res.end(`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gemeente Voorbeeld</title></head>
<body><header><a href="/">Gemeente Voorbeeld</a></header>
<main><h1>Afval en grofvuil</h1><p>Grofvuil laat u gratis ophalen. Vragen? Stel ze ons via WhatsApp.</p>${host}</main>
<script async src="${gatewayUrl}/widget.js"></script></body></html>`)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    origin: `http://127.0.0.1:${port}`,
    csp,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}

/** Collects CSP violations and console errors of a page from its first script on. */
export const RECORD_VIOLATIONS = `
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
`
