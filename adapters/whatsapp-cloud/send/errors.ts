/**
 * One error for everything that goes wrong talking to the Graph API about sending: `GraphSendError`, with the
 * decision the outbox needs — retry later (`retryable`), or give up and tell the agent; `tokenExpired` when the
 * channel needs an admin (error 190). Titles are Loket's own words plus Meta's short `message`; Meta's
 * `error_data.details` goes to `details`. Both are passed through `redact` by the client, so neither the access
 * token nor the message's text ends up in them.
 */
import { Data } from "effect"

export class GraphSendError extends Data.TaggedError("GraphSendError")<{
  /** Same as `title` (so the error prints well). */
  readonly message: string
  readonly retryable: boolean
  /** Meta's error code, or Loket's: "timeout", "network", "unreadable_answer", "no_recipient", "paging_refused", "too_many_pages". */
  readonly code: number | string
  readonly title: string
  readonly httpStatus: number | null
  /** Error 190: the access token is expired or revoked; the channel needs attention. */
  readonly tokenExpired: boolean
  /** How long to wait before retrying, when Meta said (Retry-After) or the error implies it (131056). */
  readonly retryAfterMs: number | null
  readonly subcode: number | null
  readonly details: string | null
  readonly fbtraceId: string | null
}> {}

export const isGraphSendError = (error: unknown): error is GraphSendError => error instanceof GraphSendError

/** Meta allows about one message every 6 s to the same resident (131056). */
export const PAIR_RATE_BACKOFF_MS = 6_000
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000

interface Kind {
  readonly retryable: boolean
  readonly title: string
}

/** Codes Meta documents as temporary. */
const TRANSIENT: Record<number, string> = {
  1: "the Graph API failed (unknown error); try again",
  2: "the Graph API is temporarily unavailable",
  4: "the app hit the Graph API's rate limit",
  80007: "the WhatsApp Business Account hit its rate limit",
  130429: "the phone number's throughput limit was reached (messages per second)",
  131000: "WhatsApp failed to send the message (something went wrong)",
  131016: "a WhatsApp service is temporarily unavailable",
  131056: "too many messages to this resident in a short time (pair rate limit); wait and send again",
  131057: "the business account is in maintenance mode",
  133004: "the WhatsApp server is temporarily unavailable"
}

/** Codes Meta documents as final for this message. */
const PERMANENT: Record<number, string> = {
  100: "Meta refused a parameter of the request (invalid parameter)",
  131026: "the message could not be delivered to this resident (no WhatsApp, old app version, or not accepting business messages)",
  131047: "more than 24 hours have passed since the resident last wrote; send an approved template instead (re-engagement)",
  131051: "WhatsApp does not support this message type",
  131053: "Meta could not download or process the media (media upload error)",
  131062: "this message cannot be sent to a resident known only by business-scoped user id; it needs the phone number",
  190: "the WhatsApp access token is expired or revoked (Graph error 190); an admin must renew it"
}

const TEMPLATE_TITLES: Record<number, string> = {
  132000: "the number of template parameters does not match the template",
  132001: "the template does not exist in this language, or is not approved",
  132005: "the template's text is too long once the parameters are filled in",
  132007: "the template's content breaks WhatsApp's policy",
  132012: "a template parameter has the wrong format",
  132015: "the template is paused because of low quality",
  132016: "the template is disabled because of low quality"
}

function kind(code: number, httpStatus: number, isTransient: boolean): Kind {
  if (code === 190) return { retryable: false, title: PERMANENT[190]! }
  if (isTransient && TRANSIENT[code] === undefined) return { retryable: true, title: `Meta marked error ${code} as transient` }
  if (TRANSIENT[code] !== undefined) return { retryable: true, title: TRANSIENT[code] }
  if (PERMANENT[code] !== undefined) return { retryable: false, title: PERMANENT[code] }
  if (code >= 132000 && code <= 132999) {
    return { retryable: false, title: `template error: ${TEMPLATE_TITLES[code] ?? "the template cannot be sent as asked"}` }
  }
  if (httpStatus === 429) return { retryable: true, title: "the Graph API is rate limiting (HTTP 429)" }
  if (httpStatus >= 500) return { retryable: true, title: `the Graph API failed (HTTP ${httpStatus})` }
  return { retryable: false, title: `the Graph API refused the request (HTTP ${httpStatus})` }
}

/** A Graph answer that is not 2xx, read as far as it can be; `redact` scrubs what Meta echoes. */
export function fromGraphAnswer(httpStatus: number, body: unknown, headers: Headers, redact: (text: string) => string): GraphSendError {
  const retryAfter = parseRetryAfter(headers.get("retry-after"))
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined
  const code = error !== undefined && typeof error.code === "number" && Number.isInteger(error.code) ? error.code : undefined
  if (error === undefined || code === undefined) {
    const retryable = httpStatus >= 500 || httpStatus === 429
    const title = `the Graph API answered HTTP ${httpStatus} without a readable error`
    return new GraphSendError({
      message: title, title, retryable, code: "unreadable_answer", httpStatus, tokenExpired: false,
      retryAfterMs: retryable ? retryAfter : null, subcode: null, details: null, fbtraceId: null
    })
  }
  const isTransient = error.is_transient === true
  const { retryable, title: ours } = kind(code, httpStatus, isTransient)
  const meta = typeof error.message === "string" ? clip(redact(error.message), 200) : ""
  const title = `${ours} (Graph error ${code}${meta === "" ? "" : `: ${meta}`})`
  const data = isRecord(error.error_data) ? error.error_data : undefined
  const details = typeof data?.details === "string" ? clip(redact(data.details), 500) : null
  const retryAfterMs = code === 131056 ? Math.max(retryAfter ?? 0, PAIR_RATE_BACKOFF_MS) : retryable ? retryAfter : null
  return new GraphSendError({
    message: title, title, retryable, code, httpStatus, tokenExpired: code === 190, retryAfterMs,
    subcode: typeof error.error_subcode === "number" ? error.error_subcode : null,
    details,
    fbtraceId: typeof error.fbtrace_id === "string" ? clip(error.fbtrace_id, 64) : null
  })
}

/** Errors Loket decides itself (timeouts, network, unreadable answers, refused paging…). */
export function localError(code: string, title: string, retryable: boolean, httpStatus: number | null = null): GraphSendError {
  return new GraphSendError({
    message: title, title, retryable, code, httpStatus, tokenExpired: false, retryAfterMs: null, subcode: null, details: null, fbtraceId: null
  })
}

/** `Retry-After`: seconds or an HTTP date → milliseconds (capped at an hour); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null
  const text = value.trim()
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS)
  const date = Date.parse(text)
  if (Number.isNaN(date)) return null
  return Math.min(Math.max(date - now, 0), MAX_RETRY_AFTER_MS)
}

/** A function that replaces every occurrence of the secrets (≥ 4 characters) with "[redacted]". */
export function redactor(secrets: ReadonlyArray<string>): (text: string) => string {
  const list = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length)
  return (text) => {
    let out = text
    for (const secret of list) out = out.split(secret).join("[redacted]")
    return out
  }
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}
