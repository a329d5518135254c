/** `GET /api/v1/conversations`, `/:id` and `/:id/messages` (the contract's read side). */
import { type Context, Hono } from "hono"
import { type AgentView, CLEAR_VIEW } from "../../../actors/safety/agent-view.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import type { AuthEnv } from "../auth/index.ts"
import { InvalidCursor, makeConversationQueries } from "./queries.ts"
import { DEFAULT_LIMIT, ListConversationsQuery, ListMessagesQuery } from "./schemas.ts"

const decodeList = decodeWith(ListConversationsQuery)
const decodeMessages = decodeWith(ListMessagesQuery)

/** `agentView`: what agents may see of residents' texts now (the settings' masking and link mode). */
export function conversationRoutes(database: DatabaseShape, agentView: () => Promise<AgentView> = async () => CLEAR_VIEW) {
  const queries = makeConversationQueries(database)
  const invalidQuery = (c: Context, details: Array<{ path: string; message: string }>) =>
    jsonError(c, 400, "invalid_query", `Invalid query: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, details)
  const badCursor = (c: Context) =>
    jsonError(c, 400, "invalid_cursor", "The cursor is not one Loket gave out; start again without it.", [{ path: "cursor", message: "unknown cursor" }])

  return new Hono<AuthEnv>()
    .get("/", async function listConversations(c) {
      const q = decodeList(c.req.query())
      if (!q.ok) return invalidQuery(c, q.details)
      try {
        return c.json(await queries.list({ status: q.value.status ?? "open", channel: q.value.channel, limit: q.value.limit ?? DEFAULT_LIMIT, cursor: q.value.cursor }))
      } catch (error) {
        if (error instanceof InvalidCursor) return badCursor(c)
        throw error
      }
    })
    .get("/:id", async function getConversation(c) {
      const conversation = await queries.get(c.req.param("id"))
      return conversation === undefined
        ? jsonError(c, 404, "conversation_not_found", `No conversation with id ${c.req.param("id")}.`)
        : c.json(conversation)
    })
    .get("/:id/messages", async function listMessages(c) {
      const q = decodeMessages(c.req.query())
      if (!q.ok) return invalidQuery(c, q.details)
      const id = c.req.param("id")
      if ((await queries.get(id)) === undefined) return jsonError(c, 404, "conversation_not_found", `No conversation with id ${id}.`)
      try {
        return c.json(await queries.messagesOf(id, { limit: q.value.limit ?? DEFAULT_LIMIT, cursor: q.value.cursor }, await agentView()))
      } catch (error) {
        if (error instanceof InvalidCursor) return badCursor(c)
        throw error
      }
    })
}
