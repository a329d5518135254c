/**
 * The HTML around every console page: Dutch unless the agent chose English, the console's
 * stylesheet and scripts from the gateway itself (no CDN, no inline script or style: the page's
 * CSP allows 'self' only). htmx is configured by a meta element (no eval, no inline indicator
 * styles; error answers of the console's own actions are swapped in, so their message shows).
 */
import type { Child } from "hono/jsx"
import type { ConsoleLanguage } from "../texts.ts"

export const CONSOLE_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "media-src 'self'",
  "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"
].join("; ")

const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  selfRequestsOnly: true,
  historyCacheSize: 0,
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    // 401 and 403: a session that ended or a stale page (gateway/console/session.ts), said where the answer goes.
    { code: "(400|401|403|404|409|413|422|429)", swap: true, error: false },
    { code: "[45]..", swap: false, error: true }
  ]
})

export interface DocumentProps {
  readonly language: ConsoleLanguage
  readonly title: string
  readonly scripts?: boolean
  readonly children?: Child
}

export function Document({ language, title, scripts = true, children }: DocumentProps) {
  return (
    <html lang={language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{title}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/console/assets/console.css" />
        {scripts ? <script src="/console/assets/htmx.min.js" defer></script> : null}
        {scripts ? <script src="/console/assets/htmx-sse.js" defer></script> : null}
        {scripts ? <script src="/console/assets/console.js" defer></script> : null}
      </head>
      {children}
    </html>
  )
}
