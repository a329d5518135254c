/**
 * `GET /api/v1/audit?limit=&cursor=&target=` (admin): every admin action — settings changes,
 * tokens, agents, teams, reveals of personal data —, newest first: who, when, what, the record
 * before and after. `GET /api/v1/settings/audit` is the same list for the settings alone.
 */
import { Schema } from "effect"
import { type Context, Hono } from "hono"
import { Audit } from "../../../actors/audit/Audit.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"
import { decodeCursor, encodeCursor } from "../cursor.ts"
import { DEFAULT_AUDIT_LIMIT, ListAuditQuery } from "../settings/schemas.ts"

export const ListAllAuditQuery = Schema.Struct({
  ...ListAuditQuery.fields,
  target: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(200)).annotate({ description: "Only entries about this, e.g. settings, agent:agt_…, token:tok_…" }))
})

const decodeQuery = decodeWith(ListAllAuditQuery)

/** A page of the audit log, for `target` (fixed by the route, or from the query). */
export async function auditPage(c: Context<AuthEnv>, runtime: AppRuntime, fixedTarget?: string) {
  const query = decodeQuery(c.req.query())
  if (!query.ok) return jsonError(c, 400, "invalid_query", `Invalid query: ${query.details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, query.details)
  const cursor = query.value.cursor === undefined ? undefined : decodeCursor(query.value.cursor, ["string", "string"] as const)
  if (query.value.cursor !== undefined && cursor === undefined) {
    return jsonError(c, 400, "invalid_cursor", "The cursor is not one Loket gave out; start again without it.", [{ path: "cursor", message: "unknown cursor" }])
  }
  const target = fixedTarget ?? query.value.target
  const page = await runtime.runPromise(Audit.use((audit) => audit.list({
    limit: query.value.limit ?? DEFAULT_AUDIT_LIMIT,
    ...(target === undefined ? {} : { target }),
    ...(cursor === undefined ? {} : { after: { at: String(cursor[0]), id: String(cursor[1]) } })
  })))
  return c.json({ items: page.items, nextCursor: page.next === null ? null : encodeCursor([page.next.at, page.next.id]) })
}

export function auditRoutes(runtime: AppRuntime) {
  return new Hono<AuthEnv>().get("/", function listAudit(c) {
    return auditPage(c, runtime)
  })
}

