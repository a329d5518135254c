/**
 * `GET /api/v1/conversations`, `/:id` and `/:id/messages` (the contract's read side), filtered by
 * team, assignee, channel, status and text, and by what the caller may see (access.ts).
 */
import { type Context, Hono } from "hono"
import { type AgentView, CLEAR_VIEW } from "../../../actors/safety/agent-view.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import { type AppRuntime, clockMillis } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"
import { canSee, visibilityOf } from "./access.ts"
import { InvalidCursor, makeConversationQueries } from "./queries.ts"
import { DEFAULT_LIMIT, ListConversationsQuery, ListMessagesQuery } from "./schemas.ts"

const decodeList = decodeWith(ListConversationsQuery)
const decodeMessages = decodeWith(ListMessagesQuery)

export const conversationNotFound = (c: Context, id: string) => jsonError(c, 404, "conversation_not_found", `No conversation with id ${id}.`)

/** `agentView`: what agents may see of residents' texts now (the settings' masking and link mode). */
export function conversationRoutes(runtime: AppRuntime, database: DatabaseShape, agentView: () => Promise<AgentView> = async () => CLEAR_VIEW) {
  const queries = makeConversationQueries(database, clockMillis(runtime))
  const invalidQuery = (c: Context, details: Array<{ path: string; message: string }>) =>
    jsonError(c, 400, "invalid_query", `Invalid query: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, details)
  const badCursor = (c: Context) =>
    jsonError(c, 400, "invalid_cursor", "The cursor is not one Loket gave out; start again without it.", [{ path: "cursor", message: "unknown cursor" }])
  /** The conversation's row when it exists and the caller may see it. */
  const visible = async (c: Context<AuthEnv>, id: string) => {
    const row = await queries.row(id)
    return row !== undefined && canSee(await visibilityOf(runtime, c.get("principal")), row) ? row : undefined
  }

  return new Hono<AuthEnv>()
    .get("/", async function listConversations(c) {
      const q = decodeList(c.req.query())
      if (!q.ok) return invalidQuery(c, q.details)
      const principal = c.get("principal")
      let assignee = q.value.assignee
      if (assignee === "me") {
        if (principal.agentId === null) {
          return invalidQuery(c, [{ path: "assignee", message: "'me' needs an agent's token (this token belongs to no agent); name an agent id or 'none'" }])
        }
        assignee = principal.agentId
      }
      try {
        return c.json(await queries.list({
          status: q.value.status ?? "open", channel: q.value.channel, team: q.value.team, assignee, q: q.value.q,
          visibility: await visibilityOf(runtime, principal), limit: q.value.limit ?? DEFAULT_LIMIT, cursor: q.value.cursor
        }))
      } catch (error) {
        if (error instanceof InvalidCursor) return badCursor(c)
        throw error
      }
    })
    .get("/:id", async function getConversation(c) {
      const id = c.req.param("id")
      if ((await visible(c, id)) === undefined) return conversationNotFound(c, id)
      const conversation = await queries.get(id)
      return conversation === undefined ? conversationNotFound(c, id) : c.json(conversation)
    })
    .get("/:id/messages", async function listMessages(c) {
      const q = decodeMessages(c.req.query())
      if (!q.ok) return invalidQuery(c, q.details)
      const id = c.req.param("id")
      if ((await visible(c, id)) === undefined) return conversationNotFound(c, id)
      try {
        return c.json(await queries.messagesOf(id, { limit: q.value.limit ?? DEFAULT_LIMIT, cursor: q.value.cursor }, await agentView()))
      } catch (error) {
        if (error instanceof InvalidCursor) return badCursor(c)
        throw error
      }
    })
}
