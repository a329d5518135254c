/**
 * `POST /api/v1/conversations/:id/messages/:messageId/reveal`: a resident's message as sent, with
 * the personal data agents see masked (`personalData.maskForAgents`). Every reveal is audited
 * (`message.reveal`: who, when, which message, the reason given) before the text is answered.
 */
import { Effect, Schema } from "effect"
import { Hono } from "hono"
import { Audit } from "../../../actors/audit/Audit.ts"
import type { StoredSafety } from "../../../actors/safety/agent-view.ts"
import type { DatabaseShape } from "../../../drizzle/Database.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import { type AppRuntime, clockMillis } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"
import { makeConversationQueries } from "./queries.ts"

export const RevealBody = Schema.Struct({
  reason: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(500)).annotate({ description: "Why the agent needs the data (kept in the audit log); at most 500 characters." }))
}).annotate({ identifier: "RevealRequest" })

export const RevealAnswer = Schema.Struct({
  messageId: Schema.String,
  text: Schema.NullOr(Schema.String).annotate({ description: "The message's text (body or caption) as the resident sent it." }),
  replyTitle: Schema.NullOr(Schema.String).annotate({ description: "A button or list reply's title as sent." }),
  flowResponseJson: Schema.NullOr(Schema.String).annotate({ description: "A WhatsApp Flow's answers as sent." }),
  auditId: Schema.String
}).annotate({ identifier: "RevealAnswer" })

const decodeBody = decodeWith(RevealBody)

export function revealRoutes(runtime: AppRuntime, database: DatabaseShape) {
  const queries = makeConversationQueries(database, clockMillis(runtime))
  return new Hono<AuthEnv>().post("/:id/messages/:messageId/reveal", async function revealMessage(c) {
    const conversationId = c.req.param("id")
    const messageId = c.req.param("messageId")
    const raw = await c.req.text()
    let body: unknown = {}
    if (raw.trim() !== "") {
      try {
        body = JSON.parse(raw)
      } catch {
        return jsonError(c, 400, "invalid_json", "The body is not JSON: send {} or {\"reason\":\"…\"}, or no body.")
      }
    }
    const decoded = decodeBody(body)
    if (!decoded.ok) return jsonError(c, 422, "invalid_reveal", `Invalid reveal: ${decoded.details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, decoded.details)
    const row = await queries.messageOf(conversationId, messageId)
    if (row === undefined) return jsonError(c, 404, "message_not_found", `No message ${messageId} in conversation ${conversationId}.`)
    const safety = (row.content as { safety?: StoredSafety }).safety
    const reply = (row.content as { reply?: { title: string } }).reply
    const flow = (row.content as { flow?: { responseJson: string | null } }).flow
    const principal = c.get("principal")
    const entry = await runtime.runPromise(Effect.gen(function*() {
      const audit = yield* Audit
      const recorded = yield* database.transaction(audit.record({
        actor: { kind: "token", id: principal.tokenId, name: principal.name },
        action: "message.reveal",
        target: `message:${row.id}`,
        before: null,
        // Which kinds were revealed, never the values.
        after: {
          conversationId, reason: decoded.value.reason ?? null,
          kinds: [...new Set([safety?.text, safety?.replyTitle, safety?.flowResponse].flatMap((p) => p?.personalData ?? []).map((f) => f.kind))]
        }
      }))
      yield* database.committed()
      return recorded
    }))
    return c.json({ messageId: row.id, text: row.text, replyTitle: reply?.title ?? null, flowResponseJson: flow?.responseJson ?? null, auditId: entry.id })
  })
}
