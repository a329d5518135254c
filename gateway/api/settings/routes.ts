/**
 * `GET`/`PUT`/`PATCH /api/v1/settings` (the whole document; replace; JSON merge patch) and
 * `GET /api/v1/settings/audit` (its changes, newest first). Admin tokens only (app.ts).
 */
import { auditPage } from "../audit/routes.ts"
import { auditActorOf } from "../audit-actor.ts"
import { Effect } from "effect"
import { type Context, Hono } from "hono"
import { Audit } from "../../../actors/audit/Audit.ts"
import type { AuditActor } from "../../../actors/audit/Audit.ts"
import { Settings, type SettingsConflict, type SettingsInvalid } from "../../../actors/settings/Settings.ts"
import type { DatabaseUnavailable } from "../../../drizzle/Database.ts"
import { jsonError } from "../../http/errors.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"

const MERGE_PATCH_TYPES = ["application/merge-patch+json", "application/json"]

const actorOf = (c: Context<AuthEnv>): AuditActor => auditActorOf(c.get("principal"))

/** Settings errors → HTTP answers, in one place; a database that does not answer goes to app.ts's onError (503). */
function settingsError(c: Context, error: SettingsInvalid | SettingsConflict | DatabaseUnavailable): Response {
  switch (error._tag) {
    case "SettingsInvalid":
      return jsonError(c, 422, "invalid_settings", error.message, error.problems)
    case "SettingsConflict":
      return jsonError(c, 409, "settings_conflict", error.message)
    case "DatabaseUnavailable":
      throw error
  }
}

async function readJson(c: Context): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  try {
    return { ok: true, value: await c.req.json() }
  } catch {
    return { ok: false, response: jsonError(c, 400, "invalid_json", "The body is not JSON: send the settings as a JSON object.") }
  }
}

export function settingsRoutes(runtime: AppRuntime) {
  const change = async (c: Context<AuthEnv>, run: (body: unknown, actor: AuditActor) => Effect.Effect<unknown, SettingsInvalid | SettingsConflict | DatabaseUnavailable, Settings>) => {
    const body = await readJson(c)
    if (!body.ok) return body.response
    const result = await runtime.runPromise(run(body.value, actorOf(c)).pipe(Effect.result))
    return result._tag === "Success" ? c.json(result.success) : settingsError(c, result.failure)
  }

  return new Hono<AuthEnv>()
    .get("/", async function getSettings(c) {
      return c.json(await runtime.runPromise(Settings.use((s) => s.current)))
    })
    .put("/", async function replaceSettings(c) {
      return change(c, (body, actor) => Settings.use((s) => s.replace(body, actor)))
    })
    .patch("/", async function patchSettings(c) {
      const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase()
      if (!MERGE_PATCH_TYPES.includes(type)) {
        return jsonError(c, 415, "unsupported_media_type", `Send the patch as application/merge-patch+json (or application/json), not ${type === "" ? "without a Content-Type" : type}.`)
      }
      return change(c, (body, actor) => Settings.use((s) => s.patch(body, actor)))
    })
    .get("/audit", function listSettingsAudit(c) {
      return auditPage(c, runtime, "settings")
    })
}
