/**
 * Signing in to the console with the municipality's OpenID Connect provider (when
 * LOKET_OIDC_ISSUER, LOKET_OIDC_CLIENT_ID and LOKET_OIDC_CLIENT_SECRET are set): the
 * authorization code flow with PKCE (S256), state and nonce, through `openid-client` (a
 * certified relying party library: discovery, the token request, ID token validation).
 *
 * `GET /console/login/oidc` sends the browser to the provider with a fresh state, nonce and code
 * verifier kept in a short-lived HttpOnly cookie (SameSite=Lax, so it comes back with the
 * provider's redirect); `GET /console/login/oidc/callback` checks them, takes the `email` of the
 * ID token, or else of the UserInfo answer for the same subject (refused when `email_verified`
 * is false), and signs in the active agent with that
 * address. A provider account without an agent gets no session: an admin adds the agent first.
 * The redirect URI is `<LOKET_PUBLIC_URL or the request's origin>/console/login/oidc/callback`.
 */
import { Redacted } from "effect"
import type { Context } from "hono"
import { deleteCookie, getCookie, setCookie } from "hono/cookie"
import * as client from "openid-client"
import type { LoketConfigValue } from "../../../config/Config.ts"

const FLOW_COOKIE = "loket_oidc"
const FLOW_MAX_AGE_S = 600
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/

export interface OidcFlow {
  readonly label: string
  /** The provider's authorization URL for a new sign-in; sets the flow cookie. */
  readonly start: (c: Context, next: string) => Promise<URL>
  /** The verified e-mail address of the provider's redirect, and where to go next; throws OidcRefused. */
  readonly finish: (c: Context) => Promise<{ readonly email: string; readonly next: string }>
}

export class OidcRefused extends Error {}

export function oidcFlow(config: LoketConfigValue, secure: (c: Context) => boolean): OidcFlow | undefined {
  const { issuer, clientId, clientSecret } = config.oidc
  if (issuer === undefined || clientId === undefined || clientSecret === undefined) return undefined
  const issuerUrl = new URL(issuer)
  let discovered: Promise<client.Configuration> | undefined
  const configuration = () => {
    discovered ??= client.discovery(issuerUrl, clientId, Redacted.value(clientSecret), undefined,
      // Plain HTTP only for a provider on this machine (tests, a developer's setup); never over the network.
      issuerUrl.protocol === "http:" && LOOPBACK.test(issuerUrl.hostname) ? { execute: [client.allowInsecureRequests] } : undefined)
    discovered.catch(() => (discovered = undefined))
    return discovered
  }
  const redirectUri = (c: Context) => `${config.publicUrl ?? new URL(c.req.url).origin}/console/login/oidc/callback`

  return {
    label: config.oidc.name ?? issuerUrl.host,
    start: async (c, next) => {
      const settings = await configuration()
      const verifier = client.randomPKCECodeVerifier()
      const state = client.randomState()
      const nonce = client.randomNonce()
      setCookie(c, FLOW_COOKIE, JSON.stringify({ verifier, state, nonce, next }), {
        httpOnly: true, secure: secure(c), sameSite: "Lax", path: "/console/login/oidc", maxAge: FLOW_MAX_AGE_S
      })
      return client.buildAuthorizationUrl(settings, {
        redirect_uri: redirectUri(c), scope: "openid email profile", state, nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256"
      })
    },
    finish: async (c) => {
      const raw = getCookie(c, FLOW_COOKIE)
      deleteCookie(c, FLOW_COOKIE, { path: "/console/login/oidc", secure: secure(c), httpOnly: true, sameSite: "Lax" })
      let flow: { verifier?: unknown; state?: unknown; nonce?: unknown; next?: unknown }
      try {
        flow = raw === undefined ? {} : JSON.parse(raw)
      } catch {
        flow = {}
      }
      if (typeof flow.verifier !== "string" || typeof flow.state !== "string" || typeof flow.nonce !== "string") throw new OidcRefused("no sign-in under way")
      const settings = await configuration()
      const current = new URL(c.req.url)
      const here = new URL(`${redirectUri(c)}${current.search}`)
      const tokens = await client.authorizationCodeGrant(settings, here, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce })
        .catch((error: unknown) => {
          throw new OidcRefused(error instanceof Error ? error.message : "the provider's answer did not check out")
        })
      const idToken = tokens.claims()
      if (idToken === undefined) throw new OidcRefused("the provider sent no ID token")
      // Many providers put `email` in the ID token; conforming ones only in the UserInfo answer (for the same subject).
      const claims: Record<string, unknown> = typeof idToken.email === "string"
        ? idToken
        : await client.fetchUserInfo(settings, tokens.access_token, idToken.sub).catch(() => {
          throw new OidcRefused("the provider's UserInfo did not answer")
        })
      const email = typeof claims.email === "string" ? claims.email : undefined
      if (email === undefined || claims.email_verified === false) throw new OidcRefused("the provider gave no verified e-mail address")
      return { email, next: typeof flow.next === "string" ? flow.next : "/console" }
    }
  }
}
