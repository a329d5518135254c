/**
 * `GET /console/login` (the sign-in form), `POST /console/login` (e-mail and password) and
 * `POST /console/logout`.
 *
 * The form carries a CSRF token of its own before any session exists (double submit: a random
 * value in an HttpOnly SameSite=Strict cookie and in the form). A wrong password, an unknown
 * address, an agent without a password or a deactivated one all get the same answer, after
 * the same scrypt work (a stand-in hash is checked when there is nothing to check). Attempts
 * are throttled per account and per address (actors/console/SignInThrottle.ts): 429 with
 * Retry-After.
 */
import { randomBytes } from "node:crypto"
import { Effect } from "effect"
import { type Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import { getCookie, setCookie } from "hono/cookie"
import { ConsoleSessions } from "../../../actors/console/ConsoleSessions.ts"
import { SignInThrottle } from "../../../actors/console/SignInThrottle.ts"
import { hashPassword, verifyPassword } from "../../../actors/people/password.ts"
import { People } from "../../../actors/people/People.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import type { AppRuntime } from "../../Runtime.ts"
import { CONSOLE_POLICY } from "../pages/Document.tsx"
import { clearSessionCookie, cookieIsSecure, type ConsoleEnv, LANGUAGE_COOKIE, languageOf, requireSession, sameToken, sessionOf, setSessionCookie } from "../session.ts"
import { type ConsoleLanguage, textsFor } from "../texts.ts"
import { clientAddress, type TrustCheck } from "../client-address.ts"
import { LoginPage } from "./LoginPage.tsx"
import { type OidcFlow, OidcRefused } from "./oidc.ts"
import { SIGN_IN_BODY_LIMIT, SignInForm } from "./schemas.ts"

const LOGIN_CSRF_COOKIE = "loket_login"
const decodeForm = decodeWith(SignInForm)

/** Where to go after signing in: a console path only (never another site). */
const safeNext = (next: string | undefined) => (next !== undefined && /^\/console(\/[A-Za-z0-9_\-/?=&.%]*)?$/.test(next) && !next.startsWith("//") ? next : "/console")

let standIn: Promise<string> | undefined
/** A hash no password matches: checked when the address has none, so every failure costs the same. */
const standInHash = () => (standIn ??= Effect.runPromise(hashPassword(randomBytes(32).toString("base64url"))))

export function loginRoutes(runtime: AppRuntime, oidc: OidcFlow | undefined, trusted: TrustCheck = () => false) {
  const page = (c: Context, status: 200 | 400 | 401 | 403 | 429 | 502, props: { language: ConsoleLanguage; next: string; email?: string; error?: string; notice?: string }) => {
    const csrf = randomBytes(24).toString("base64url")
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, { httpOnly: true, secure: cookieIsSecure(c), sameSite: "Strict", path: "/console/login", maxAge: 3600 })
    c.header("content-security-policy", CONSOLE_POLICY)
    c.header("cache-control", "no-store")
    return c.html(`<!doctype html>${<LoginPage {...props} texts={textsFor(props.language)} csrf={csrf} oidcLabel={oidc?.label} />}`, status)
  }
  const signInAs = async (c: Context, agentId: string, next: string) => {
    const { secret } = await runtime.runPromise(ConsoleSessions.use((sessions) => sessions.start(agentId)))
    setSessionCookie(c, secret)
    return c.redirect(safeNext(next), 303)
  }

  return new Hono<ConsoleEnv>()
    .get("/login/oidc", async function startOidc(c) {
      const language = languageOf(c)
      if (oidc === undefined) return jsonError(c, 404, "oidc_not_configured", "OpenID Connect sign-in is off: set LOKET_OIDC_ISSUER, LOKET_OIDC_CLIENT_ID and LOKET_OIDC_CLIENT_SECRET.")
      const target = await oidc.start(c, safeNext(c.req.query("next"))).catch(() => undefined)
      if (target === undefined) return page(c, 502, { language, next: "/console", error: textsFor(language).oidcUnavailable(oidc.label) })
      return c.redirect(target.href, 302)
    })
    .get("/login/oidc/callback", async function finishOidc(c) {
      const language = languageOf(c)
      if (oidc === undefined) return jsonError(c, 404, "oidc_not_configured", "OpenID Connect sign-in is off.")
      const texts = textsFor(language)
      const outcome = await oidc.finish(c).then((ok) => ok, (error: unknown) => (error instanceof OidcRefused ? undefined : Promise.reject(error)))
      if (outcome === undefined) return page(c, 401, { language, next: "/console", error: texts.oidcFailed(oidc.label) })
      const credentials = await runtime.runPromise(People.use((people) => people.credentialsByEmail(outcome.email)))
      if (credentials === undefined) return page(c, 401, { language, next: "/console", error: texts.oidcFailed(oidc.label) })
      return signInAs(c, credentials.agentId, outcome.next)
    })
    .get("/login", async function loginPage(c) {
      const lang = c.req.query("lang")
      let language = languageOf(c)
      if (lang === "nl" || lang === "en") {
        language = lang
        setCookie(c, LANGUAGE_COOKIE, lang, { sameSite: "Lax", path: "/", secure: cookieIsSecure(c), maxAge: 365 * 24 * 3600 })
      }
      if ((await sessionOf(runtime, c)) !== undefined) return c.redirect(safeNext(c.req.query("next")), 303)
      const texts = textsFor(language)
      return page(c, 200, { language, next: safeNext(c.req.query("next")), ...(c.req.query("signedOut") === "1" ? { notice: texts.signedOut } : {}) })
    })
    .post(
      "/login",
      bodyLimit({
        maxSize: SIGN_IN_BODY_LIMIT,
        onError: (c) => jsonError(c, 413, "payload_too_large", `The sign-in form is limited to ${SIGN_IN_BODY_LIMIT / 1024} KiB: send only email and password.`)
      }),
      async function signIn(c) {
        const language = languageOf(c)
        const texts = textsFor(language)
        const type = c.req.header("content-type") ?? ""
        if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) {
          return jsonError(c, 415, "unsupported_media_type", "Send the sign-in form as application/x-www-form-urlencoded (fields email, password, _csrf).")
        }
        const form = decodeForm(await c.req.parseBody())
        const raw = form.ok ? form.value : undefined
        const next = safeNext(raw?.next)
        if (!form.ok) {
          if (form.details.some((d) => d.path === "_csrf")) return page(c, 403, { language, next, error: texts.signInExpired })
          return page(c, 400, { language, next, error: texts.signInMissing })
        }
        const { email, password, _csrf } = form.value
        if (!sameToken(getCookie(c, LOGIN_CSRF_COOKIE), _csrf)) return page(c, 403, { language, next, email, error: texts.signInExpired })
        const keys = { email, address: clientAddress(c, trusted) }
        // Counted before the password is checked, so attempts at the same moment on several instances cannot pass together.
        const attempt = await runtime.runPromise(SignInThrottle.use((t) => t.attempt(keys)))
        if (attempt.retryAfter > 0) {
          c.header("retry-after", String(attempt.retryAfter))
          return page(c, 429, { language, next, email, error: texts.signInThrottled(attempt.retryAfter) })
        }
        const credentials = await runtime.runPromise(People.use((people) => people.credentialsByEmail(email)))
        const hash = credentials?.passwordHash ?? (await standInHash())
        const good = (await Effect.runPromise(verifyPassword(password, hash))) && credentials?.passwordHash != null
        if (!good || credentials === undefined) return page(c, 401, { language, next, email, error: texts.signInFailed })
        await runtime.runPromise(SignInThrottle.use((t) => t.succeeded(keys, attempt)))
        return signInAs(c, credentials.agentId, next)
      }
    )
    .post("/logout", bodyLimit({ maxSize: 4096, onError: (c) => jsonError(c, 413, "payload_too_large", "A logout carries only its _csrf field (at most 4 KiB).") }), requireSession(runtime), async function signOut(c) {
      const secret = getCookie(c, "loket_session")!
      await runtime.runPromise(ConsoleSessions.use((sessions) => sessions.end(secret)))
      clearSessionCookie(c)
      return c.redirect("/console/login?signedOut=1", 303)
    })
}
