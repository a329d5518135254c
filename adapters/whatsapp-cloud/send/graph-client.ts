/**
 * The Graph API calls for sending: `POST /{phone-number-id}/messages` (a message, or a read receipt),
 * `GET /{waba-id}/message_templates` (every page) and `POST /{phone-number-id}/media` (multipart upload).
 *
 * Every failure rejects with `GraphSendError` (./errors.ts), classified retryable or not. Each call has one
 * deadline for the answer and its body (a hanging Graph API → code "timeout", retryable). Redirects are not
 * followed. Nothing here logs; error titles and details never carry the access token or the message's text.
 *
 * A timed-out or broken-off send may still have reached Meta: the Graph API has no idempotency key, so a
 * retry can, rarely, deliver a message twice.
 */
import type { OutboundRequest } from "../../../domain/Outbound.ts"
import { fromGraphAnswer, GraphSendError, isRecord, localError, redactor } from "./errors.ts"
import { makePostJson } from "./keep-alive.ts"
import { toGraphMessage } from "./request.ts"
import { TEMPLATE_FIELDS, type TemplateInfo, templateInfo } from "./templates.ts"

export { GraphSendError, isGraphSendError } from "./errors.ts"
export type { TemplateInfo } from "./templates.ts"

export interface GraphSendClientOptions {
  /** GRAPH_API_URL, version included (e.g. https://graph.facebook.com/v23.0), no trailing slash needed. */
  readonly graphApiUrl: string
  readonly accessToken: string
  /** Deadline for one call's answer, body included. Default 15 s. */
  readonly timeoutMs?: number
  /** Deadline for a media upload. Default 120 s. */
  readonly uploadTimeoutMs?: number
  /** Most template pages read before giving up. Default 50 (× 100 templates). */
  readonly maxTemplatePages?: number
  readonly fetch?: FetchLike
}

/** What the client needs of `fetch` (global fetch fits; tests pass their own). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

export interface MediaUpload {
  readonly bytes: Uint8Array
  readonly mimeType: string
  readonly filename: string
}

export interface GraphSendClient {
  readonly send: (req: OutboundRequest) => Promise<{ readonly providerMessageId: string }>
  readonly markRead: (phoneNumberId: string, providerMessageId: string, options?: { readonly typing?: boolean }) => Promise<void>
  readonly listTemplates: (wabaId: string) => Promise<Array<TemplateInfo>>
  readonly uploadMedia: (phoneNumberId: string, media: MediaUpload) => Promise<{ readonly id: string }>
}

export const DEFAULT_SEND_TIMEOUT_MS = 15_000
export const DEFAULT_UPLOAD_TIMEOUT_MS = 120_000
export const DEFAULT_MAX_TEMPLATE_PAGES = 50
export const TEMPLATE_PAGE_SIZE = 100
/** A Graph JSON answer larger than this is not one (a template page with 100 large templates stays well below). */
const MAX_JSON_BYTES = 4 * 1024 * 1024
/** Hosts a template `paging.next` may point to, besides GRAPH_API_URL's own. */
const GRAPH_HOST = "graph.facebook.com"

interface Init {
  readonly method: "GET" | "POST"
  readonly headers?: Record<string, string>
  readonly body?: string | FormData
}

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
}

export function makeGraphSendClient(options: GraphSendClientOptions): GraphSendClient {
  const base = options.graphApiUrl.replace(/\/+$/, "")
  const origin = new URL(base).origin
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS
  const uploadTimeoutMs = options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS
  const maxPages = options.maxTemplatePages ?? DEFAULT_MAX_TEMPLATE_PAGES
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const authorization = `Bearer ${options.accessToken}`
  const tokenOnly = redactor([options.accessToken])
  /** Sends and read receipts: a keep-alive agent (./keep-alive.ts), or the `fetch` a test passes. */
  const keepAlive = options.fetch === undefined ? makePostJson(origin) : undefined

  /** A JSON POST under one deadline; a non-2xx answer becomes Meta's error (redacted). */
  async function postJson(what: string, url: string, payload: unknown, redact: (text: string) => string): Promise<{ status: number; body: unknown }> {
    const body = JSON.stringify(payload)
    if (keepAlive === undefined) return call(what, url, { method: "POST", headers: { "content-type": "application/json" }, body }, timeoutMs, redact)
    const answer = await keepAlive.post(what, url, { authorization, accept: "application/json", "content-type": "application/json" }, body, timeoutMs, MAX_JSON_BYTES)
    if (answer.status < 200 || answer.status > 299) {
      throw fromGraphAnswer(answer.status, answer.body, new Headers(answer.retryAfter === null ? {} : { "retry-after": answer.retryAfter }), redact)
    }
    return answer
  }

  /** One exchange under one deadline; any failure becomes a GraphSendError. */
  async function call(what: string, url: string, init: Init, limitMs: number, redact: (text: string) => string): Promise<Answer> {
    const abort = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort()
        reject(localError("timeout", `the Graph API did not answer the ${what} within ${Math.round(limitMs / 100) / 10} s`, true))
      }, limitMs)
    })
    try {
      const response = await Promise.race([
        doFetch(url, {
          method: init.method,
          headers: { authorization, accept: "application/json", ...init.headers },
          ...(init.body === undefined ? {} : { body: init.body }),
          redirect: "manual",
          signal: abort.signal
        }),
        expired
      ]).catch((error: unknown) => {
        throw error instanceof GraphSendError ? error : localError("network", `the Graph API could not be reached for the ${what}`, true)
      })
      const body = await readJson(response, expired, what)
      if (response.status < 200 || response.status > 299) throw fromGraphAnswer(response.status, body, response.headers, redact)
      return { status: response.status, headers: response.headers, body }
    } finally {
      clearTimeout(timer)
      expired.catch(() => undefined)
    }
  }

  const unreadable = (what: string, status: number) =>
    localError("unreadable_answer", `the Graph API accepted the ${what} (HTTP ${status}) but its answer could not be read`, false, status)

  async function send(req: OutboundRequest): Promise<{ providerMessageId: string }> {
    const body = toGraphMessage(req)
    if (body.to === undefined && body.recipient === undefined) {
      throw localError("no_recipient", "the resident has neither a phone number nor a business-scoped user id", false)
    }
    // Only an error needs the message's words to scrub: collected then, not per send.
    let scrub: ((text: string) => string) | undefined
    const redact = (text: string) => (scrub ??= redactor([options.accessToken, ...contentStrings(body)]))(text)
    const answer = await postJson("message", `${base}/${encodeURIComponent(req.channelAccountId)}/messages`, body, redact)
    const messages = isRecord(answer.body) && Array.isArray(answer.body.messages) ? answer.body.messages : []
    const id = isRecord(messages[0]) ? messages[0].id : undefined
    if (typeof id !== "string" || id === "") throw unreadable("message", answer.status)
    return { providerMessageId: id }
  }

  async function markRead(phoneNumberId: string, providerMessageId: string, markOptions: { readonly typing?: boolean } = {}): Promise<void> {
    const body = {
      messaging_product: "whatsapp",
      status: "read",
      message_id: providerMessageId,
      ...(markOptions.typing === true ? { typing_indicator: { type: "text" } } : {})
    }
    await postJson("read receipt", `${base}/${encodeURIComponent(phoneNumberId)}/messages`, body, tokenOnly)
  }

  async function listTemplates(wabaId: string): Promise<Array<TemplateInfo>> {
    const list: Array<TemplateInfo> = []
    const seen = new Set<string>()
    let url: string | null =
      `${base}/${encodeURIComponent(wabaId)}/message_templates?limit=${TEMPLATE_PAGE_SIZE}&fields=${encodeURIComponent(TEMPLATE_FIELDS)}`
    for (let page = 0; url !== null; page++) {
      if (page >= maxPages) throw localError("too_many_pages", `the template list has more than ${maxPages} pages; not reading further`, false)
      seen.add(url)
      const answer = await call("template list", url, { method: "GET" }, timeoutMs, tokenOnly)
      if (!isRecord(answer.body) || !Array.isArray(answer.body.data)) throw unreadable("template list", answer.status)
      for (const item of answer.body.data) {
        const info = templateInfo(item)
        if (info !== null) list.push(info)
      }
      const next = isRecord(answer.body.paging) ? answer.body.paging.next : undefined
      url = typeof next === "string" && next !== "" ? nextPage(next, origin) : null
      if (url !== null && seen.has(url)) throw localError("paging_refused", "the template list's next page repeats an earlier page", false)
    }
    return list
  }

  async function uploadMedia(phoneNumberId: string, media: MediaUpload): Promise<{ id: string }> {
    const form = new FormData()
    form.append("messaging_product", "whatsapp")
    form.append("type", media.mimeType)
    form.append("file", new Blob([media.bytes as Uint8Array<ArrayBuffer>], { type: media.mimeType }), media.filename)
    const answer = await call("media upload", `${base}/${encodeURIComponent(phoneNumberId)}/media`, { method: "POST", body: form }, uploadTimeoutMs, tokenOnly)
    const id = isRecord(answer.body) ? answer.body.id : undefined
    if ((typeof id !== "string" && typeof id !== "number") || id === "") throw unreadable("media upload", answer.status)
    return { id: String(id) }
  }

  return { send, markRead, listTemplates, uploadMedia }
}

/** `paging.next`, when it stays on GRAPH_API_URL's origin or Meta's Graph host (the token goes with it). */
function nextPage(next: string, origin: string): string {
  let url: URL
  try {
    url = new URL(next)
  } catch {
    throw localError("paging_refused", "the template list's next page is not a URL", false)
  }
  const onGraph = url.origin === origin || (url.protocol === "https:" && url.hostname === GRAPH_HOST && url.port === "")
  if (!onGraph) throw localError("paging_refused", `the template list's next page points to another host (${url.hostname}); not following it with the token`, false)
  return url.href
}

/** The message's own words (text, captions, titles, parameters) and the recipient, to keep out of errors. */
function contentStrings(body: Record<string, unknown>): Array<string> {
  const out: Array<string> = []
  const structural = new Set(["type", "sub_type", "messaging_product", "recipient_type", "biz_opaque_callback_data", "code", "policy", "index"])
  const walk = (value: unknown, key: string | undefined, depth: number): void => {
    if (depth > 12) return
    if (typeof value === "string") {
      if (key === undefined || !structural.has(key)) out.push(value)
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, key, depth + 1)
    } else if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, k, depth + 1)
    }
  }
  walk(body, undefined, 0)
  return out
}

/** The JSON of an answer (undefined when it is not JSON), read with a size cap before the deadline. */
async function readJson(response: Response, expired: Promise<never>, what: string): Promise<unknown> {
  if (response.body === null) return undefined
  const reader = response.body.getReader()
  const chunks: Array<Uint8Array> = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), expired])
      if (done) break
      total += value.byteLength
      if (total > MAX_JSON_BYTES) {
        throw localError("unreadable_answer", `the Graph API's answer to the ${what} is too large`, response.status >= 500, response.status)
      }
      chunks.push(value)
    }
  } catch (error) {
    reader.cancel().catch(() => undefined)
    if (error instanceof GraphSendError) throw error
    throw localError("network", `the Graph API's answer to the ${what} broke off`, true, response.status)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"))
  } catch {
    return undefined
  }
}
