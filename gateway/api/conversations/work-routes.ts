/**
 * Working a conversation: `POST /:id/assign`, `/:id/close`, `/:id/reopen` (200 Conversation) and
 * `/:id/notes` (201 Message, type `note`, direction `internal`). Each goes through the
 * conversation's actor (Conversations.work); the caller must be allowed to see the conversation.
 */
import { Effect } from "effect"
import { type Context, Hono } from "hono"
import { Conversations } from "../../../actors/Conversations.ts"
import type { WorkCommand } from "../../../actors/conversation/work.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import { type AppRuntime, clockMillis } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"
import { readBody } from "../people/body.ts"
import { canSee, visibilityOf } from "./access.ts"
import { makeConversationQueries } from "./queries.ts"
import { conversationNotFound } from "./routes.ts"
import { workByOf } from "./sender.ts"
import { AssignBody, NoteBody } from "./work-schemas.ts"

const decodeAssign = decodeWith(AssignBody)
const decodeNote = decodeWith(NoteBody)
const MAX_IDEMPOTENCY_KEY = 200

export function workRoutes(runtime: AppRuntime, database: DatabaseShape) {
  const queries = makeConversationQueries(database, clockMillis(runtime))

  /** Runs `command` on the conversation through its actor, when the caller may see it. */
  const work = async (c: Context<AuthEnv>, command: WorkCommand, created = false) => {
    const id = c.req.param("id")!
    const row = await queries.row(id)
    if (row === undefined || !canSee(await visibilityOf(runtime, c.get("principal")), row)) return conversationNotFound(c, id)
    const result = await runtime.runPromise(Conversations.use((actors) => actors.work(id, command, workByOf(c.get("principal")))).pipe(Effect.result))
    if (result._tag === "Failure") {
      const refused = result.failure
      return jsonError(c, refused.status, refused.code, refused.message, refused.details === undefined ? undefined : [...refused.details])
    }
    return created ? c.json(result.success.note, 201) : c.json(result.success.conversation)
  }

  return new Hono<AuthEnv>()
    .post("/:id/assign", async function assignConversation(c) {
      const body = await readBody(c, decodeAssign)
      if (!body.ok) return body.response
      if (body.value.team === undefined && body.value.assignee === undefined) {
        return jsonError(c, 422, "invalid_body", "Name a team, an assignee, or both: e.g. {\"team\": \"tm_…\"} hands the conversation over to that vakteam.",
          [{ path: "", message: "expected team or assignee" }])
      }
      return work(c, { op: "assign", ...body.value })
    })
    .post("/:id/close", function closeConversation(c) {
      return work(c, { op: "close" })
    })
    .post("/:id/reopen", function reopenConversation(c) {
      return work(c, { op: "reopen" })
    })
    .post("/:id/notes", async function writeNote(c) {
      const body = await readBody(c, decodeNote)
      if (!body.ok) return body.response
      const idempotencyKey = c.req.header("idempotency-key") ?? null
      if (idempotencyKey !== null && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)) {
        return jsonError(c, 400, "invalid_idempotency_key", `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY} characters.`)
      }
      return work(c, { op: "note", text: body.value.text, idempotencyKey }, true)
    })
}
