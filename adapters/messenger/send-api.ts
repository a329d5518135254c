/**
 * The Send API over HTTPS: `POST {api}/me/messages` with the account's token as a Bearer header
 * (never in the URL), answered `{ recipient_id, message_id }` or `{ error: { message, type, code,
 * error_subcode, fbtrace_id } }`. Failures become `SendFailure`s the outbox acts on; no token and
 * no resident data (Meta's messages can quote the text) reaches an error.
 */
import { ProviderError, type SendFailure } from "../ChannelAdapter.ts"

export class SendApiError extends ProviderError {
  constructor(label: string, failure: SendFailure) {
    super(`${label} Send API`, failure)
    this.name = "SendApiError"
  }
}

/** Codes Meta documents as temporary: unknown error, service down, app / page / account rate limits. */
const TRANSIENT: Record<number, string> = {
  1: "the Graph API failed (unknown error); Loket tries again",
  2: "the Graph API is temporarily unavailable; Loket tries again",
  4: "the app hit the Graph API's rate limit; Loket tries again",
  17: "the account hit the Graph API's rate limit; Loket tries again",
  32: "the page hit its request limit; Loket tries again",
  613: "too many calls in a short time; Loket tries again"
}

/** Codes and subcodes Meta documents as final for this message. */
const PERMANENT: Record<number, string> = {
  10: "the app has no permission for this send (pages_messaging / instagram_manage_messages, or the message tag)",
  100: "Meta refused a parameter of the request (invalid parameter)",
  190: "the access token is expired or revoked (Graph error 190); an admin must renew it",
  200: "the app lacks the permission to send messages for this account",
  551: "this person is not available right now (blocked the account, or has no Messenger)",
  2018278: "the reply came after the messaging window closed (24 hours, or 7 days with HUMAN_AGENT)",
  2018108: "the HUMAN_AGENT tag is not allowed: the app has no Human Agent permission",
  2534022: "the reply came after the messaging window closed"
}

const int = (value: unknown): number | null => (typeof value === "number" && Number.isSafeInteger(value) ? value : null)

/** What an answer means for the outbox. Meta's own `message` is left out: it may quote what was sent. */
export function failureOf(status: number, body: unknown): SendFailure {
  const error = typeof body === "object" && body !== null ? (body as { error?: { code?: unknown; error_subcode?: unknown } }).error : undefined
  const code = int(error?.code)
  const subcode = int(error?.error_subcode)
  const named = (subcode !== null ? PERMANENT[subcode] : undefined) ?? (code !== null ? TRANSIENT[code] ?? PERMANENT[code] : undefined)
  const title = `${named ?? `HTTP ${status}`}${subcode === null ? "" : ` (subcode ${subcode})`}`
  if (code === 190) return { retryable: false, code, title, tokenExpired: true, retryAfterMs: null }
  if (subcode !== null && PERMANENT[subcode] !== undefined) return { retryable: false, code: code ?? subcode, title, tokenExpired: false, retryAfterMs: null }
  if ((code !== null && TRANSIENT[code] !== undefined) || status >= 500 || status === 429) {
    return { retryable: true, code: code ?? status, title, tokenExpired: false, retryAfterMs: code === 4 || code === 17 || code === 32 || code === 613 || status === 429 ? 5_000 : null }
  }
  return { retryable: false, code: code ?? status, title, tokenExpired: false, retryAfterMs: null }
}

export interface SendApiOptions {
  readonly label: string
  /** Base URL, version included, no trailing slash: https://graph.facebook.com/v23.0 or https://graph.instagram.com/v23.0. */
  readonly apiUrl: string
  readonly token: string
  readonly timeoutMs: number
  readonly fetch?: typeof fetch
}

export interface SendApi {
  /** Resolves with Meta's answer (`message_id` for a message, only `recipient_id` for a sender action); rejects with a `SendApiError`. */
  readonly post: (body: Record<string, unknown>) => Promise<{ readonly message_id?: string; readonly recipient_id?: string }>
  /** Attachment Upload API: `POST {api}/me/message_attachments` (multipart `message` + `filedata`) → `{ attachment_id }`. */
  readonly upload: (form: FormData) => Promise<{ readonly attachment_id?: string }>
}

export function makeSendApi(options: SendApiOptions): SendApi {
  const doFetch = options.fetch ?? fetch
  async function call<A>(path: string, init: { headers: Record<string, string>; body: string | FormData }): Promise<A> {
    let response: Response
    let answer: unknown
    try {
      response = await doFetch(`${options.apiUrl}/me/${path}`, {
        method: "POST",
        headers: { ...init.headers, authorization: `Bearer ${options.token}` },
        body: init.body,
        signal: AbortSignal.timeout(options.timeoutMs)
      })
      answer = await response.json().catch(() => undefined)
    } catch (error) {
      const reason = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${options.timeoutMs} ms` : "the Send API could not be reached"
      throw new SendApiError(options.label, { retryable: true, code: "network", title: reason, tokenExpired: false, retryAfterMs: null })
    }
    if (response.ok && typeof answer === "object" && answer !== null && !("error" in answer)) return answer as A
    throw new SendApiError(options.label, failureOf(response.status, answer))
  }
  return {
    post: (body) => call("messages", { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    upload: (form) => call("message_attachments", { headers: {}, body: form })
  }
}
