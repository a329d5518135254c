/**
 * `GET /api/v1/queue` (any role): the open conversations whose resident waits for an agent's
 * answer, longest waiting first (`waitingSince`, then id). A resident who wrote while closed is
 * ahead of everyone who wrote after the opening; an agent's answer takes the conversation out.
 * What "first in the queue" means: docs/playbook.md.
 */
import { and, asc, eq, gt, inArray, isNotNull, or, type SQL } from "drizzle-orm"
import { Effect } from "effect"
import { type Context, Hono } from "hono"
import { conversationToJson } from "../../../actors/conversation/serialize.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import { nowMillis } from "../../../domain/time.ts"
import type { AppRuntime } from "../../Runtime.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import type { AuthEnv } from "../auth/index.ts"
import { decodeCursor, encodeCursor } from "../cursor.ts"
import { QueueQuery } from "./schemas.ts"

const decodeQueue = decodeWith(QueueQuery)
const DEFAULT_LIMIT = 50

export function queueRoutes(runtime: AppRuntime, database: DatabaseShape) {
  const invalidQuery = (c: Context, details: Array<{ path: string; message: string }>) =>
    jsonError(c, 400, "invalid_query", `Invalid query: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, details)

  const page = (q: { channel?: string | undefined; limit: number; after?: [string, string] | undefined }) =>
    Effect.gen(function*() {
      const rows = yield* database.all((db, t) => {
        const where: Array<SQL | undefined> = [eq(t.conversations.status, "open"), isNotNull(t.conversations.waitingSince)]
        if (q.channel !== undefined) where.push(eq(t.conversations.channel, q.channel))
        if (q.after !== undefined) {
          const [since, id] = q.after
          where.push(or(gt(t.conversations.waitingSince, since), and(eq(t.conversations.waitingSince, since), gt(t.conversations.id, id))))
        }
        return db.select().from(t.conversations).where(and(...where))
          .orderBy(asc(t.conversations.waitingSince), asc(t.conversations.id)).limit(q.limit + 1)
      })
      const shown = rows.slice(0, q.limit)
      const ids = [...new Set(shown.map((r) => r.contactId))]
      const people = ids.length === 0 ? [] : yield* database.all((db, t) => db.select().from(t.contacts).where(inArray(t.contacts.id, ids)))
      const byId = new Map(people.map((p) => [p.id, p]))
      const now = yield* nowMillis
      const last = shown[shown.length - 1]
      return {
        items: shown.map((row) => conversationToJson(row, byId.get(row.contactId)!, now)),
        nextCursor: rows.length > q.limit && last ? encodeCursor([last.waitingSince!, last.id]) : null
      }
    })

  return new Hono<AuthEnv>()
    .get("/", async function listQueue(c) {
      const q = decodeQueue(c.req.query())
      if (!q.ok) return invalidQuery(c, q.details)
      const after = q.value.cursor === undefined ? undefined : decodeCursor(q.value.cursor, ["string", "string"] as const) as [string, string] | undefined
      if (q.value.cursor !== undefined && after === undefined) {
        return jsonError(c, 400, "invalid_cursor", "The cursor is not one Loket gave out; start again without it.", [{ path: "cursor", message: "unknown cursor" }])
      }
      return c.json(await runtime.runPromise(page({ channel: q.value.channel, limit: q.value.limit ?? DEFAULT_LIMIT, after })))
    })
}
