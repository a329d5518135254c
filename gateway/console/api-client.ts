/**
 * The console calls the agent API itself, in process, with the agent's session cookie and CSRF
 * token (gateway/console/session.ts `sessionForApi`): the same routes, validation, access rules,
 * actors and audit as any API client — no second implementation of a business rule.
 */
import type { Context } from "hono"
import { getCookie } from "hono/cookie"
import type { ConsoleSession } from "../../actors/console/ConsoleSessions.ts"
import { CSRF_HEADER, SESSION_COOKIE } from "./session.ts"

export type AppFetch = (request: Request) => Response | Promise<Response>

export interface ApiAnswer<T = any> {
  readonly status: number
  readonly body: T
}

/**
 * The API's error as an agent reads it: the console's own text for its code in the agent's language
 * (`texts.apiErrors`), else the API's message (the code stays in the browser's network tab).
 */
export const errorMessage = (answer: ApiAnswer, texts: { readonly apiErrors: Readonly<Record<string, string>> }) => {
  const error = (answer.body as { error?: { code?: string; message?: string } } | null)?.error
  return (error?.code === undefined ? undefined : texts.apiErrors[error.code]) ?? error?.message ?? `HTTP ${answer.status}`
}

export function apiClient(appFetch: AppFetch) {
  return async function callApi<T = any>(c: Context, session: ConsoleSession, path: string, init: { method?: string; body?: unknown; form?: FormData } = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { cookie: `${SESSION_COOKIE}=${getCookie(c, SESSION_COOKIE) ?? ""}`, accept: "application/json" }
    if (init.body !== undefined) headers["content-type"] = "application/json"
    if (init.method !== undefined && init.method !== "GET") headers[CSRF_HEADER] = session.csrfToken
    // A multipart body (a file for POST /media) sets its own content-type with the boundary.
    const payload = init.form ?? (init.body === undefined ? undefined : JSON.stringify(init.body))
    const request = new Request(new URL(`/api/v1${path}`, c.req.url), { method: init.method ?? "GET", headers, ...(payload === undefined ? {} : { body: payload }) })
    const response = await appFetch(request)
    const text = await response.text()
    let body: unknown = null
    try {
      body = text.length === 0 ? null : JSON.parse(text)
    } catch {
      body = { error: { message: text.slice(0, 200) } }
    }
    return { status: response.status, body: body as T }
  }
}

export type CallApi = ReturnType<typeof apiClient>
