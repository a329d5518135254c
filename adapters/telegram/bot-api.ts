/**
 * The Bot API over HTTPS: `POST <TELEGRAM_API_URL>/bot<token>/<method>` with a JSON body,
 * answered `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }`.
 * Failures become `SendFailure`s the outbox acts on. The token is part of every URL: no URL
 * ever reaches an error message or a log line.
 */
import { ProviderError, type SendFailure } from "../ChannelAdapter.ts"

export interface BotApiOptions {
  readonly apiUrl: string
  readonly token: string
  /** Deadline for one call, answer included. */
  readonly timeoutMs?: number
  readonly fetch?: typeof fetch
}

export class BotApiError extends ProviderError {
  constructor(failure: SendFailure) {
    super("Telegram Bot API", failure)
    this.name = "BotApiError"
  }
}

export interface BotApi {
  /** Calls `method`; resolves with `result`, rejects with a `BotApiError`. */
  readonly call: <A = unknown>(method: string, body: Record<string, unknown>) => Promise<A>
  /** `GET <TELEGRAM_API_URL>/file/bot<token>/<file_path>`: a file `getFile` pointed at. */
  readonly download: (filePath: string) => Promise<Response>
}

/** What an answer means for the outbox: 429 waits `retry_after`, 5xx retries, 401 is a dead token, other 4xx are final. */
export function failureOf(status: number, body: unknown): SendFailure {
  const answer = typeof body === "object" && body !== null ? body as { error_code?: unknown; description?: unknown; parameters?: { retry_after?: unknown } } : {}
  const code = typeof answer.error_code === "number" ? answer.error_code : status
  const title = typeof answer.description === "string" ? answer.description.slice(0, 300) : `HTTP ${status}`
  const retryAfter = typeof answer.parameters?.retry_after === "number" ? answer.parameters.retry_after * 1000 : null
  if (code === 429) return { retryable: true, code, title, tokenExpired: false, retryAfterMs: retryAfter ?? 1000 }
  if (code >= 500 || status >= 500) return { retryable: true, code, title, tokenExpired: false, retryAfterMs: null }
  if (code === 401 || code === 404) {
    // The Bot API answers 401 Unauthorized (and 404 on some paths) for a revoked or wrong token.
    return { retryable: false, code, title, tokenExpired: true, retryAfterMs: null }
  }
  return { retryable: false, code, title, tokenExpired: false, retryAfterMs: null }
}

export function makeBotApi(options: BotApiOptions): BotApi {
  const doFetch = options.fetch ?? fetch
  const timeoutMs = options.timeoutMs ?? 15_000
  const base = `${options.apiUrl}/bot${options.token}`

  async function call<A>(method: string, body: Record<string, unknown>): Promise<A> {
    let response: Response
    let answer: unknown
    try {
      response = await doFetch(`${base}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs)
      })
      answer = await response.json().catch(() => undefined)
    } catch (error) {
      const reason = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : "the Bot API could not be reached"
      throw new BotApiError({ retryable: true, code: "network", title: reason, tokenExpired: false, retryAfterMs: null })
    }
    const ok = typeof answer === "object" && answer !== null && (answer as { ok?: unknown }).ok === true
    if (response.ok && ok) return (answer as { result: A }).result
    throw new BotApiError(failureOf(response.status, answer))
  }

  const download = (filePath: string) =>
    doFetch(`${options.apiUrl}/file/bot${options.token}/${filePath.split("/").map(encodeURIComponent).join("/")}`, { signal: AbortSignal.timeout(timeoutMs) })

  return { call, download }
}
