/**
 * The Hono application: every route of the contract, answered from one ManagedRuntime.
 * Runtime-neutral: gateway/main.ts serves it on Node, gateway/main.bun.ts on Bun.
 */
import { Effect } from "effect"
import { Hono } from "hono"
import { HTTPException } from "hono/http-exception"
import { secureHeaders } from "hono/secure-headers"
import { Channels } from "../actors/Channels.ts"
import { Database } from "../drizzle/Database.ts"
import { agentViewOf } from "../actors/safety/agent-view.ts"
import { ResidentSafety } from "../actors/safety/ResidentSafety.ts"
import { ApiTokens } from "../actors/people/ApiTokens.ts"
import { type AuthEnv, bearerAuth } from "./api/auth/index.ts"
import { conversationRoutes } from "./api/conversations/routes.ts"
import { eventRoutes } from "./api/events/routes.ts"
import { mediaRoutes } from "./api/media/routes.ts"
import { uploadRoutes } from "./api/media/upload-routes.ts"
import { sendRoutes } from "./api/conversations/send-routes.ts"
import { workRoutes } from "./api/conversations/work-routes.ts"
import { WORK_BODY_LIMIT } from "./api/conversations/work-schemas.ts"
import { cannedResponseRoutes } from "./api/canned-responses/routes.ts"
import { CANNED_BODY_LIMIT } from "./api/canned-responses/schemas.ts"
import { revealRoutes } from "./api/conversations/reveal-routes.ts"
import { contactRoutes } from "./api/contacts/routes.ts"
import { LINK_BODY_LIMIT } from "./api/contacts/schemas.ts"
import { templateRoutes } from "./api/templates/routes.ts"
import { clusterRoutes } from "./api/admin/cluster-routes.ts"
import { parkedRoutes } from "./api/admin/parked-routes.ts"
import { settingsRoutes } from "./api/settings/routes.ts"
import { Settings } from "../actors/settings/Settings.ts"
import { auditRoutes } from "./api/audit/routes.ts"
import { agentRoutes } from "./api/people/agents-routes.ts"
import { meRoutes } from "./api/people/me-routes.ts"
import { teamRoutes } from "./api/people/teams-routes.ts"
import { tokenRoutes } from "./api/people/tokens-routes.ts"
import { openApiDocument } from "./api/openapi/document.ts"
import { SETTINGS_BODY_LIMIT } from "./api/settings/schemas.ts"
import { officeHoursRoutes } from "./api/office-hours/routes.ts"
import { queueRoutes } from "./api/queue/routes.ts"
import { LoketConfig } from "../config/Config.ts"
import { healthRoutes } from "./health.ts"
import { apiBodyLimits, KiB, MiB } from "./http/api-body-limits/index.ts"
import { jsonError } from "./http/errors.ts"
import { type Lifecycle, makeLifecycle, refuseWhileDraining } from "./lifecycle.ts"
import { type AppRuntime, clockMillis } from "./Runtime.ts"
import { channelWebhook } from "./webhooks/channel-webhook.ts"
import { CAMPAIGN_BODY_LIMIT, campaignRoutes } from "./api/campaigns/routes.ts"
import { campaignLinkRoutes } from "./widget/campaign-link.ts"
import { widgetRoutes } from "./widget/routes.ts"
import { widgetPageRoutes } from "./widget/page/routes.tsx"
import { consoleRoutes } from "./console/routes.tsx"
import { sessionForApi } from "./console/session.ts"

/**
 * Hono's secure headers on every answer. The API serves JSON only, so its policy allows nothing
 * to load or frame it; pages and scripts that must differ (the console, the widget) set their
 * own headers, which are kept (`overwrite: false`). No CORS on /api/v1: browsers of other sites
 * cannot call it with an agent's credentials.
 */
const SECURE_HEADERS: NonNullable<Parameters<typeof secureHeaders>[0]> = {
  overwrite: false,
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
  xFrameOptions: "DENY",
  strictTransportSecurity: "max-age=31536000; includeSubDomains",
  referrerPolicy: "no-referrer"
}

export async function makeApp(runtime: AppRuntime, lifecycle: Lifecycle = makeLifecycle()) {
  const { config, database, tokens, channels } = await runtime.runPromise(
    Effect.gen(function*() {
      return { config: yield* LoketConfig, database: yield* Database, tokens: yield* ApiTokens, channels: yield* Channels }
    })
  )
  const openapi = JSON.stringify(openApiDocument(channels.all))
  // Looked up on every request (no cache): a revoked token is refused from the next request on.
  const verify = (token: string) => runtime.runPromise(tokens.verify(token))
  const adminOnly = bearerAuth(verify, "admin")
  /** What agents may see of residents' texts now (masking, defanged links), from the settings in memory. */
  const agentView = () => runtime.runPromise(Effect.map(ResidentSafety.use((s) => s.current), agentViewOf))

  const api = new Hono<AuthEnv>()
    .get("/openapi.json", (c) => c.body(openapi, 200, { "content-type": "application/json" }))
    // The console calls the API with its session cookie (and CSRF token on changes): it acts as the session's agent.
    .use("*", sessionForApi(runtime))
    .use("*", bearerAuth(verify))
    .use("*", apiBodyLimits([
      // The largest file a channel takes (WhatsApp documents: 100 MiB) and the multipart around it; the route checks the file itself.
      { path: /^\/media\/?$/, maxBytes: 100 * MiB + 64 * KiB, what: "A media upload", fix: "channels take files up to 100 MiB" },
      { path: /^\/settings(\/|$)/, maxBytes: SETTINGS_BODY_LIMIT, what: "The settings document" },
      { path: /^\/conversations\/[^/]+\/messages\/?$/, maxBytes: 64 * KiB, what: "A reply", fix: "send files through POST /api/v1/media and refer to them by id" },
      { path: /^\/(tokens|agents|teams)(\/|$)/, maxBytes: 16 * KiB, what: "A person, team or token" },
      { path: /^\/campaigns(\/|$)/, maxBytes: CAMPAIGN_BODY_LIMIT, what: "A campaign" },
      { path: /^\/conversations\/[^/]+\/(assign|close|reopen|notes)\/?$/, maxBytes: WORK_BODY_LIMIT, what: "An assignment or a note", fix: "a note is at most 4,096 characters" },
      { path: /^\/canned-responses(\/|$)/, maxBytes: CANNED_BODY_LIMIT, what: "A canned response", fix: "its text is at most 4,096 characters" },
      { path: /^\/contacts(\/|$)/, maxBytes: LINK_BODY_LIMIT, what: "A contact link", fix: "send {\"contactId\": \"…\"}" }
    ], { maxBytes: 64 * KiB, what: "A request body" }))
    .route("/me", meRoutes())
    .route("/conversations", conversationRoutes(runtime, database, agentView))
    .route("/conversations", sendRoutes(runtime, database, channels))
    .route("/conversations", workRoutes(runtime, database))
    .route("/conversations", revealRoutes(runtime, database))
    .route("/canned-responses", cannedResponseRoutes(runtime, database))
    .route("/contacts", contactRoutes(runtime))
    .route("/queue", queueRoutes(runtime, database))
    .route("/templates", templateRoutes(runtime, verify))
    .route("/office-hours", officeHoursRoutes(
      async () => (await runtime.runPromise(Settings.use((s) => s.current))).officeHours,
      async () => new Date(await clockMillis(runtime)())
    ))
    // Admin routes: an agent-role caller gets 403 forbidden.
    .use("/settings/*", adminOnly)
    .use("/tokens/*", adminOnly)
    .use("/agents/*", adminOnly)
    .use("/teams/*", adminOnly)
    .use("/admin/*", adminOnly)
    .use("/audit/*", adminOnly)
    .route("/settings", settingsRoutes(runtime))
    .route("/audit", auditRoutes(runtime))
    .route("/tokens", tokenRoutes(runtime))
    .route("/agents", agentRoutes(runtime))
    .route("/teams", teamRoutes(runtime))
    .use("/campaigns/*", adminOnly)
    .route("/campaigns", campaignRoutes(runtime, database, channels.all))
    .route("/admin/parked", parkedRoutes(runtime))
    .route("/admin/cluster", clusterRoutes(runtime))
    .route("/events", eventRoutes(runtime, lifecycle))
    .route("/media", uploadRoutes(channels))
    .route("/media", mediaRoutes(config, database.dataDir, channels.all))

  const app = new Hono()
    .use("*", secureHeaders(SECURE_HEADERS))
    .use("*", refuseWhileDraining(lifecycle))
    .route("/", healthRoutes(runtime))
  // One generic webhook route per registered channel (adapters/registry.ts).
  for (const adapter of channels.all) app.route(`/webhooks/${adapter.channel}`, channelWebhook(runtime, adapter, config.publicUrl))
  // The console's in-process API calls go through the whole app (secure headers, draining, errors).
  let appFetch: (request: Request) => Response | Promise<Response> = () => new Response(null, { status: 503 })
  const self = app
    .route("/api/v1", api)
    .route("/console", consoleRoutes(runtime, lifecycle, (request) => appFetch(request), config))
    .route("/", widgetRoutes(runtime))
    .route("/", widgetPageRoutes(runtime, database, verify))
    .route("/r", campaignLinkRoutes(runtime, database))
    .notFound((c) => jsonError(c, 404, "not_found", `No route ${c.req.method} ${c.req.path}.`))
    .onError(function internalError(error, c) {
      // Hono's own middleware (basicAuth on /widget) answers through HTTPException: its response stands.
      if (error instanceof HTTPException) return error.getResponse()
      if ((error as { _tag?: unknown })._tag === "DatabaseUnavailable") {
        console.error(`Loket: database unavailable on ${c.req.method} ${c.req.path}: ${(error as Error).message}`)
        return jsonError(c, 503, "database_unavailable", "The database does not answer right now; try again shortly.")
      }
      // The cause goes to the log without request data; the caller gets a plain 500.
      console.error(`Loket: unexpected error on ${c.req.method} ${c.req.path}: ${error instanceof Error ? error.stack : String(error)}`)
      return jsonError(c, 500, "internal_error", "Something went wrong inside Loket; it has been logged.")
    })
  appFetch = (request) => self.fetch(request)
  return self
}
