/**
 * The console's OpenID Connect sign-in end to end, in headless Chromium, against a real provider
 * (`oidc-provider`, its development login and consent pages) on loopback: the authorization code
 * flow with PKCE through openid-client, signing in the agent whose e-mail the ID token carries;
 * an account without an agent gets no session.
 */
import { createServer, type Server } from "node:http"
import Provider from "oidc-provider"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchChromium } from "../support/browser.ts"
import { auth, baseEnv, freePort, startGateway, type TestGateway } from "../support/gateway.ts"

const CLIENT_ID = "loket-console"
const CLIENT_SECRET = "a-client-secret-of-the-municipality"

let gw: TestGateway
let provider: Server
let issuer: string
let browser: Browser

beforeAll(async () => {
  const port = await freePort()
  issuer = `http://127.0.0.1:${port}`
  gw = await startGateway(baseEnv({ LOKET_OIDC_ISSUER: issuer, LOKET_OIDC_CLIENT_ID: CLIENT_ID, LOKET_OIDC_CLIENT_SECRET: CLIENT_SECRET, LOKET_OIDC_NAME: "Gemeente-account" }))
  const oidc = new Provider(issuer, {
    clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${gw.url}/console/login/oidc/callback`], grant_types: ["authorization_code"], response_types: ["code"] }],
    pkce: { required: () => true },
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    // The development login page takes any login: here, the e-mail address is the account.
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub, email: sub, email_verified: true }) })
  } as never)
  provider = createServer(oidc.callback())
  await new Promise<void>((resolve) => provider.listen(port, "127.0.0.1", resolve))
  browser = await launchChromium()
}, 90_000)
afterAll(async () => {
  await browser?.close()
  provider?.closeAllConnections()
  await new Promise<void>((resolve) => (provider ? provider.close(() => resolve()) : resolve()))
  await gw?.close()
})

async function signInWithProvider(login: string) {
  const context = await browser.newContext()
  // The provider's development pages import a web font: not fetched (no third-party hosts).
  await context.route((url) => !url.href.startsWith(issuer) && !url.href.startsWith(gw.url), (route) => route.abort())
  const page = await context.newPage()
  await page.goto(`${gw.url}/console/login`)
  await page.getByRole("link", { name: "Inloggen met Gemeente-account" }).click()
  await page.waitForURL((url) => url.href.startsWith(issuer))
  await page.fill("input[name=login]", login)
  await page.fill("input[name=password]", "anything")
  await page.click("button[type=submit]")
  // Consent, then back to Loket
  await page.waitForSelector("button[type=submit]")
  await page.click("button[type=submit]")
  await page.waitForURL((url) => url.href.startsWith(gw.url))
  return { page, context }
}

describe("OpenID Connect sign-in", () => {
  it("signs in the agent with the provider's verified e-mail address, through the authorization code flow with PKCE", async () => {
    const email = "oidc.agent@gemeente.example"
    const created = await fetch(`${gw.url}/api/v1/agents`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ email, name: "Via OIDC", role: "agent" }) })
    expect(created.status).toBe(201)
    const { page, context } = await signInWithProvider(email)
    await page.waitForURL(`${gw.url}/console`)
    expect(await page.locator("header .who").textContent()).toBe("Via OIDC")
    const session = (await context.cookies()).find((c) => c.name === "loket_session")
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" })
    expect((await context.cookies()).find((c) => c.name === "loket_oidc")).toBeUndefined()
    await context.close()
  }, 90_000)

  it("gives no session to a provider account no agent has", async () => {
    const { page, context } = await signInWithProvider("stranger@elders.example")
    await page.waitForURL(/\/console\/login\/oidc\/callback/)
    expect(await page.locator("[role=alert]").textContent()).toContain("Inloggen met Gemeente-account lukte niet")
    expect((await context.cookies()).find((c) => c.name === "loket_session")).toBeUndefined()
    await context.close()
  }, 90_000)

  it("refuses a callback that no sign-in of this browser started", async () => {
    const res = await fetch(`${gw.url}/console/login/oidc/callback?code=forged&state=forged`, { redirect: "manual" })
    expect(res.status).toBe(401)
    expect(res.headers.get("set-cookie") ?? "").not.toContain("loket_session=")
  })
})
