/**
 * `/api/v1/canned-responses`: any role reads (`?conversationId=` adds each text rendered for that
 * conversation's resident); the admin role creates, changes and deletes (403 for agents).
 */
import { eq } from "drizzle-orm"
import { Effect } from "effect"
import { type Context, Hono, type MiddlewareHandler } from "hono"
import { CannedResponses, renderCanned } from "../../../actors/canned/CannedResponses.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import type { AppRuntime } from "../../Runtime.ts"
import { auditActorOf } from "../audit-actor.ts"
import type { AuthEnv } from "../auth/index.ts"
import { canSee, visibilityOf } from "../conversations/access.ts"
import { readBody } from "../people/body.ts"
import { CreateCannedBody, ListCannedQuery, UpdateCannedBody } from "./schemas.ts"

const decodeCreate = decodeWith(CreateCannedBody)
const decodeUpdate = decodeWith(UpdateCannedBody)
const decodeList = decodeWith(ListCannedQuery)

const adminOnly: MiddlewareHandler<AuthEnv> = async function cannedAdminOnly(c, next) {
  if (c.get("principal").role !== "admin") return jsonError(c, 403, "forbidden", "Only an admin manages canned responses; agents read them.")
  await next()
}

/** The service's errors as HTTP answers, in one place (DatabaseUnavailable goes on to app.ts: 503). */
function cannedError(c: Context, error: unknown): Response {
  const tagged = error as { _tag?: string; id?: string; shortcut?: string }
  if (tagged._tag === "CannedNotFound") return jsonError(c, 404, "canned_response_not_found", `No canned response ${tagged.id}.`)
  if (tagged._tag === "ShortcutTaken") {
    return jsonError(c, 409, "shortcut_taken", `The shortcut ${tagged.shortcut} is taken; pick another or change that response.`, [{ path: "shortcut", message: "taken" }])
  }
  throw error
}

export function cannedResponseRoutes(runtime: AppRuntime, database: DatabaseShape) {
  const run = async <A, E>(c: Context, effect: Effect.Effect<A, E, CannedResponses>, ok: (value: A) => Response) => {
    const result = await runtime.runPromise(Effect.result(effect))
    return result._tag === "Success" ? ok(result.success) : cannedError(c, result.failure)
  }
  /** The resident's name of a conversation the caller may see; undefined when it does not exist for them. */
  const residentOf = async (c: Context<AuthEnv>, conversationId: string) => {
    const row = await Effect.runPromise(database.one((db, t) => db.select({ team: t.conversations.team, assignee: t.conversations.assignee, name: t.contacts.name })
      .from(t.conversations).innerJoin(t.contacts, eq(t.contacts.id, t.conversations.contactId)).where(eq(t.conversations.id, conversationId))))
    return row !== undefined && canSee(await visibilityOf(runtime, c.get("principal")), row) ? { name: row.name } : undefined
  }

  return new Hono<AuthEnv>()
    .get("/", async function listCannedResponses(c) {
      const q = decodeList(c.req.query())
      if (!q.ok) return jsonError(c, 400, "invalid_query", `Invalid query: ${q.details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, q.details)
      const resident = q.value.conversationId === undefined ? undefined : await residentOf(c, q.value.conversationId)
      if (q.value.conversationId !== undefined && resident === undefined) {
        return jsonError(c, 404, "conversation_not_found", `No conversation with id ${q.value.conversationId}.`)
      }
      return run(c, CannedResponses.use((s) => s.list()), (items) => c.json({
        items: items
          .filter((item) => q.value.language === undefined || item.language === q.value.language)
          .map((item) => (resident === undefined ? item : { ...item, rendered: renderCanned(item.text, item.language, resident.name) }))
      }))
    })
    .post("/", adminOnly, async function createCannedResponse(c) {
      const body = await readBody(c, decodeCreate)
      if (!body.ok) return body.response
      return run(c, CannedResponses.use((s) => s.create(body.value, auditActorOf(c.get("principal")))), (item) => c.json(item, 201))
    })
    .patch("/:id", adminOnly, async function updateCannedResponse(c) {
      const body = await readBody(c, decodeUpdate)
      if (!body.ok) return body.response
      return run(c, CannedResponses.use((s) => s.update(c.req.param("id"), body.value, auditActorOf(c.get("principal")))), (item) => c.json(item))
    })
    .delete("/:id", adminOnly, async function deleteCannedResponse(c) {
      return run(c, CannedResponses.use((s) => s.remove(c.req.param("id"), auditActorOf(c.get("principal")))), () => c.body(null, 204))
    })
}
