/**
 * `GET /widget` (the IT team's page) and `GET /widget/preview` (its sample page), behind the admin
 * token: a signed-in admin's console session, or HTTP Basic (any user name, the admin token as
 * the password) for scripts and IT teams without a console account. Dutch, or English with `?lang=en`
 * or for an admin who chose English in the console.
 */
import { Hono, type MiddlewareHandler } from "hono"
import { basicAuth } from "hono/basic-auth"
import { makeCampaignStore } from "../../../actors/widget/CampaignStore.ts"
import { widgetSettingsNow } from "../../../actors/widget/widget-settings.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import type { Principal } from "../../api/auth/ApiTokens.ts"
import type { AppRuntime } from "../../Runtime.ts"
import { languageOf, sessionOf } from "../../console/session.ts"
import { PreviewPage, WidgetPage } from "./WidgetPage.tsx"

const PAGE_POLICY = "default-src 'none'; img-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
const PREVIEW_POLICY = "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self'; style-src 'none'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"

export function widgetPageRoutes(runtime: AppRuntime, database: DatabaseShape, verify: (token: string) => Promise<Principal | undefined>) {
  const store = makeCampaignStore(database)
  const basic = basicAuth({
    realm: "Loket (admin token as password)",
    invalidUserMessage: { error: { code: "unauthorized", message: "Sign in with any user name and a Loket admin token as the password." } },
    verifyUser: async (_user, password) => (await verify(password))?.role === "admin"
  })
  /** A signed-in admin's console session opens the page; without one, HTTP Basic with an admin token still does. */
  const admin: MiddlewareHandler = async function adminSessionOrBasic(c, next) {
    if ((await sessionOf(runtime, c))?.principal.role === "admin") return next()
    return basic(c, next)
  }
  return new Hono()
    .get("/widget", admin, async function widgetPage(c) {
      const settings = (await runtime.runPromise(widgetSettingsNow)).widget
      const campaigns = await runtime.runPromise(store.list())
      c.header("content-security-policy", PAGE_POLICY)
      c.header("cache-control", "no-store")
      // The page's language: ?lang=, else the one the admin chose in the console (Dutch by default).
      const asked = c.req.query("lang")
      const language = asked === "en" || asked === "nl" ? asked : languageOf(c)
      return c.html(`<!doctype html>${<WidgetPage origin={new URL(c.req.url).origin} settings={settings} campaigns={campaigns} language={language} />}`)
    })
    .get("/widget/preview", admin, function widgetPreview(c) {
      c.header("content-security-policy", PREVIEW_POLICY)
      c.header("x-frame-options", "SAMEORIGIN")
      return c.html(`<!doctype html>${<PreviewPage />}`)
    })
}
