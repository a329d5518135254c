/** `GET /api/v1/templates` (status and category of each) and `POST /api/v1/templates/sync` (admin). */
import { Effect } from "effect"
import { Hono } from "hono"
import { Templates } from "../../../actors/templates/Templates.ts"
import { jsonError } from "../../http/errors.ts"
import type { AppRuntime } from "../../Runtime.ts"
import { type AuthEnv, bearerAuth } from "../auth/index.ts"
import type { Principal } from "../auth/ApiTokens.ts"

export function templateRoutes(runtime: AppRuntime, verify: (token: string) => Promise<Principal | undefined>) {
  return new Hono<AuthEnv>()
    .get("/", async function listTemplates(c) {
      const rows = await runtime.runPromise(Templates.use((t) => t.store.list()))
      return c.json({
        items: rows.map((t) => ({
          id: t.id, accountId: t.accountId, name: t.name, language: t.language, status: t.status, category: t.category,
          components: t.components, parameterCounts: t.parameterCounts, updatedAt: t.updatedAt
        }))
      })
    })
    .post("/sync", bearerAuth(verify, "admin"), async function syncTemplates(c) {
      const result = await runtime.runPromise(Templates.use((t) => t.sync).pipe(Effect.result))
      return result._tag === "Success"
        ? c.json({ status: "synced", count: result.success })
        : jsonError(c, 502, "template_sync_failed", result.failure.message)
    })
}
