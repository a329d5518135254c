/**
 * JSON POSTs to the Graph API over a keep-alive `node:http`/`node:https` agent: what every message send
 * and read receipt takes. Node's `fetch` (undici behind WHATWG streams, an AbortSignal and a Request per
 * call) cost about a tenth of the gateway's CPU at 1,000 sends per second; this path has none of that.
 * Connections stay open between sends (idle ones close after 4 s, or sooner when the server's
 * `Keep-Alive` header says so), redirects are not followed, and the answer is read with a size cap
 * under the call's one deadline. Failures reject with GraphSendError (./errors.ts), as `fetch`'s did.
 */
import http from "node:http"
import https from "node:https"
import { localError } from "./errors.ts"

/** What the client reads of an answer. */
export interface JsonAnswer {
  readonly status: number
  readonly retryAfter: string | null
  /** The parsed JSON; undefined when the body is not JSON. */
  readonly body: unknown
}

export type PostJson = (what: string, url: string, headers: Record<string, string>, body: string, limitMs: number, maxBytes: number) => Promise<JsonAnswer>

/** Sockets per Graph origin: the outbox's sends in flight (actors/outbox/Outbox.ts MAX_IN_FLIGHT) and a few read receipts. */
const MAX_SOCKETS = 160
/** Idle connections are closed after this long (Meta's servers close theirs after a while too). */
const IDLE_MS = 4_000

export function makePostJson(origin: string): { readonly post: PostJson; readonly close: () => void } {
  const target = new URL(origin)
  const secure = target.protocol === "https:"
  const options = { keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_SOCKETS, timeout: IDLE_MS, scheduling: "lifo" as const }
  const agent = secure ? new https.Agent(options) : new http.Agent(options)
  const request = secure ? https.request : http.request
  // The origin is parsed once: a send names only its path, and its headers go as a flat array, which
  // node:http writes as they are (no URL parse, no header map and its look-ups per send).
  const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1")
  const port = target.port === "" ? (secure ? 443 : 80) : Number(target.port)
  const host = target.host
  /** The path of a URL under the origin; undefined for another origin (a programming error, refused). */
  const pathOf = (url: string) => {
    if (url.startsWith(origin) && url.charCodeAt(origin.length) === 47 /* "/" */) return url.slice(origin.length)
    const parsed = URL.canParse(url) ? new URL(url) : undefined
    return parsed?.origin === target.origin ? `${parsed.pathname}${parsed.search}` : undefined
  }

  const post: PostJson = (what, url, headers, body, limitMs, maxBytes) =>
    new Promise<JsonAnswer>((resolve, reject) => {
      let settled = false
      const finish = (error: unknown, answer?: JsonAnswer) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (answer !== undefined) resolve(answer)
        else reject(error)
      }
      const path = pathOf(url)
      if (path === undefined) return reject(localError("invalid_url", `the Graph API client for ${origin} was asked to send the ${what} to another origin`, false))
      const flat: Array<string> = ["host", host]
      for (const name in headers) flat.push(name, headers[name]!)
      flat.push("content-length", String(Buffer.byteLength(body)))
      const req = request({
        method: "POST",
        agent,
        hostname,
        port,
        path,
        headers: flat
      }, function onAnswer(res) {
        const chunks: Array<Buffer> = []
        let total = 0
        res.on("data", (chunk: Buffer) => {
          total += chunk.length
          if (total > maxBytes) {
            finish(localError("unreadable_answer", `the Graph API's answer to the ${what} is too large`, (res.statusCode ?? 0) >= 500, res.statusCode ?? null))
            req.destroy()
            return
          }
          chunks.push(chunk)
        })
        res.on("end", () => {
          let parsed: unknown
          try {
            parsed = JSON.parse((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8"))
          } catch {
            parsed = undefined
          }
          const retryAfter = res.headers["retry-after"]
          finish(undefined, { status: res.statusCode ?? 0, retryAfter: typeof retryAfter === "string" ? retryAfter : null, body: parsed })
        })
        res.on("error", () => finish(localError("network", `the Graph API's answer to the ${what} broke off`, true, res.statusCode ?? null)))
        res.on("aborted", () => finish(localError("network", `the Graph API's answer to the ${what} broke off`, true, res.statusCode ?? null)))
      })
      const timer = setTimeout(() => {
        finish(localError("timeout", `the Graph API did not answer the ${what} within ${Math.round(limitMs / 100) / 10} s`, true))
        req.destroy()
      }, limitMs)
      req.on("error", () => finish(localError("network", `the Graph API could not be reached for the ${what}`, true)))
      req.end(body)
    })

  return { post, close: () => agent.destroy() }
}
