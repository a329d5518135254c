/**
 * The console's session cookie and the checks every console page and action makes: a live
 * session (actors/console/ConsoleSessions.ts), and on state-changing requests its CSRF token
 * (header `X-CSRF-Token`, or the form field `_csrf`), refused with 403 without it.
 *
 * Cookies are HttpOnly, SameSite=Lax, Path=/, and Secure unless the gateway is reached on a
 * loopback address over plain HTTP (a developer's machine); behind a TLS proxy the host is the
 * municipality's, so Secure is set.
 */
import { timingSafeEqual } from "node:crypto"
import type { Context, MiddlewareHandler } from "hono"
import { deleteCookie, getCookie, setCookie } from "hono/cookie"
import { ConsoleSessions, type ConsoleSession, SESSION_ABSOLUTE_MS } from "../../actors/console/ConsoleSessions.ts"
import type { Principal } from "../../actors/people/Principal.ts"
import { jsonError } from "../http/errors.ts"
import type { AppRuntime } from "../Runtime.ts"
import { type ConsoleLanguage, textsFor } from "./texts.ts"

export const SESSION_COOKIE = "loket_session"
export const LANGUAGE_COOKIE = "loket_lang"
export const CSRF_HEADER = "x-csrf-token"

export type ConsoleEnv = { Variables: { principal: Principal; session: ConsoleSession; language: ConsoleLanguage } }

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/

export const cookieIsSecure = (c: Context) => {
  const url = new URL(c.req.url)
  return !(url.protocol === "http:" && LOOPBACK.test(url.hostname))
}

export function setSessionCookie(c: Context, secret: string) {
  setCookie(c, SESSION_COOKIE, secret, { httpOnly: true, secure: cookieIsSecure(c), sameSite: "Lax", path: "/", maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000) })
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, secure: cookieIsSecure(c), sameSite: "Lax", path: "/" })
}

export const sameToken = (a: string | undefined, b: string) =>
  a !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"])
export const isSafeMethod = (method: string) => SAFE_METHODS.has(method.toUpperCase())

export const languageOf = (c: Context): ConsoleLanguage => (getCookie(c, LANGUAGE_COOKIE) === "en" ? "en" : "nl")

/** The session the request's cookie stands for, or undefined. */
export async function sessionOf(runtime: AppRuntime, c: Context): Promise<ConsoleSession | undefined> {
  const secret = getCookie(c, SESSION_COOKIE)
  if (secret === undefined || secret.length === 0 || secret.length > 200) return undefined
  return runtime.runPromise(ConsoleSessions.use((sessions) => sessions.verify(secret)))
}

/** The CSRF token the request carries: the header (htmx, fetch) or the form field (plain forms). */
async function csrfOf(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER)
  if (header !== undefined) return header
  const type = c.req.header("content-type") ?? ""
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) return undefined
  const form = await c.req.parseBody().catch(() => ({} as Record<string, unknown>))
  return typeof form._csrf === "string" ? form._csrf : undefined
}

/**
 * An htmx action (a reply, a note, …) whose session has ended (401) or whose page belongs to an
 * earlier sign-in (403, its CSRF token is stale): a fragment in the agent's language where the
 * action's answer goes (htmx swaps 401 and 403, see pages/Document.tsx), saying nothing was sent
 * and how to go on; what the agent typed stays in the form. Plain API clients keep the JSON error.
 */
/** The console page an htmx request came from (its HX-Current-URL, on this origin), else the console's start. */
function consolePageOf(c: Context): string {
  const current = c.req.header("hx-current-url")
  const url = current !== undefined && URL.canParse(current) ? new URL(current) : undefined
  return url !== undefined && url.origin === new URL(c.req.url).origin && url.pathname.startsWith("/console") ? url.pathname : "/console"
}

const signInFor = (page: string) => `/console/login?next=${encodeURIComponent(page)}`

function consoleRefusal(c: Context, status: 401 | 403) {
  const texts = textsFor(languageOf(c))
  const href = signInFor(consolePageOf(c))
  const body = status === 401
    ? `<p class="alert" role="alert">${texts.sessionEnded} <a href="${href}">${texts.signInAgain}</a></p>`
    : `<p class="alert" role="alert">${texts.pageOutdated}</p>`
  return c.html(body, status)
}

export const csrfRefused = (c: Context) =>
  jsonError(c, 403, "csrf_token_invalid", "This request changes something and needs the console's CSRF token (header X-CSRF-Token or form field _csrf); reload the page and try again.")

/**
 * Console pages and actions: without a live session a page redirects to the sign-in page (an
 * action answers 401); a state-changing request without the session's CSRF token gets 403.
 */
export function requireSession(runtime: AppRuntime): MiddlewareHandler<ConsoleEnv> {
  return async function requireSession(c, next) {
    c.set("language", languageOf(c))
    const session = await sessionOf(runtime, c)
    if (session === undefined) {
      if (isSafeMethod(c.req.method)) {
        clearSessionCookie(c)
        // An htmx fragment (a list refresh, a conversation opened from the list) would follow a redirect
        // and put the sign-in page inside the pane: the whole page goes to the sign-in page instead.
        if (c.req.header("hx-request") === "true") {
          c.header("HX-Redirect", signInFor(consolePageOf(c)))
          return c.body(null, 401)
        }
        return c.redirect(signInFor(new URL(c.req.url).pathname), 303)
      }
      if (c.req.header("hx-request") === "true") return consoleRefusal(c, 401)
      return jsonError(c, 401, "unauthorized", "Your console session has ended; sign in again at /console/login.")
    }
    if (!isSafeMethod(c.req.method) && !sameToken(await csrfOf(c), session.csrfToken)) {
      return c.req.header("hx-request") === "true" ? consoleRefusal(c, 403) : csrfRefused(c)
    }
    c.set("session", session)
    c.set("principal", session.principal)
    await next()
  }
}

/**
 * For /api/v1: a request without `Authorization` but with a console session cookie acts as the
 * session's agent (the console calls the API with it), with the session's CSRF token required
 * on state-changing requests. Bearer tokens are untouched.
 */
export function sessionForApi(runtime: AppRuntime): MiddlewareHandler<{ Variables: { principal: Principal } }> {
  return async function sessionForApi(c, next) {
    if (c.req.header("authorization") !== undefined || getCookie(c, SESSION_COOKIE) === undefined) return next()
    const session = await sessionOf(runtime, c)
    if (session === undefined) return jsonError(c, 401, "unauthorized", "Your console session has ended; sign in again at /console/login.")
    if (!isSafeMethod(c.req.method) && !sameToken(c.req.header(CSRF_HEADER), session.csrfToken)) return csrfRefused(c)
    c.set("principal", session.principal)
    await next()
  }
}
