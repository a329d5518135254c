/**
 * The Hono application: every route of the contract, answered from one ManagedRuntime.
 * Runtime-neutral: gateway/main.ts serves it on Node, gateway/main.bun.ts on Bun.
 */
import { Effect } from "effect"
import { Hono } from "hono"
import { HTTPException } from "hono/http-exception"
import { Database } from "../drizzle/Database.ts"
import { ApiTokens } from "./api/auth/ApiTokens.ts"
import { type AuthEnv, bearerAuth } from "./api/auth/index.ts"
import { conversationRoutes } from "./api/conversations/routes.ts"
import { eventRoutes } from "./api/events/routes.ts"
import { mediaRoutes } from "./api/media/routes.ts"
import { uploadRoutes } from "./api/media/upload-routes.ts"
import { sendRoutes } from "./api/conversations/send-routes.ts"
import { templateRoutes } from "./api/templates/routes.ts"
import { clusterRoutes } from "./api/admin/cluster-routes.ts"
import { parkedRoutes } from "./api/admin/parked-routes.ts"
import { openApiDocument } from "./api/openapi/document.ts"
import { LoketConfig } from "../config/Config.ts"
import { healthRoutes } from "./health.ts"
import { jsonError } from "./http/errors.ts"
import type { AppRuntime } from "./Runtime.ts"
import { whatsappWebhook } from "./webhooks/whatsapp.ts"
import { campaignRoutes } from "./api/campaigns/routes.ts"
import { campaignLinkRoutes } from "./widget/campaign-link.ts"
import { widgetRoutes } from "./widget/routes.ts"
import { widgetPageRoutes } from "./widget/page/routes.tsx"

export async function makeApp(runtime: AppRuntime) {
  const { config, database, tokens } = await runtime.runPromise(
    Effect.gen(function*() {
      return { config: yield* LoketConfig, database: yield* Database, tokens: yield* ApiTokens }
    })
  )
  const openapi = JSON.stringify(openApiDocument())

  const api = new Hono<AuthEnv>()
    .get("/openapi.json", (c) => c.body(openapi, 200, { "content-type": "application/json" }))
    .use("*", bearerAuth(tokens.verify))
    .route("/conversations", conversationRoutes(database))
    .route("/conversations", sendRoutes(runtime, database))
    .route("/templates", templateRoutes(runtime, tokens.verify))
    .use("/admin/*", bearerAuth(tokens.verify, "admin"))
    .use("/campaigns/*", bearerAuth(tokens.verify, "admin"))
    .route("/campaigns", campaignRoutes(database, config))
    .route("/admin/parked", parkedRoutes(runtime))
    .route("/admin/cluster", clusterRoutes(runtime))
    .route("/events", eventRoutes(runtime))
    .route("/media", uploadRoutes(runtime, config))
    .route("/media", mediaRoutes(config, database.dataDir))

  return new Hono()
    .route("/", healthRoutes(runtime))
    .route("/webhooks/whatsapp", whatsappWebhook(runtime, config))
    .route("/api/v1", api)
    .route("/", widgetRoutes(runtime, config))
    .route("/", widgetPageRoutes(runtime, database, tokens.verify))
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
}
