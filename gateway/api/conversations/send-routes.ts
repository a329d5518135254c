/**
 * `POST /api/v1/conversations/:id/messages` (an agent's reply: 202 once durable) and
 * `POST /api/v1/conversations/:id/read` (read receipts: an explicit agent action).
 */
import { and, desc, eq, sql } from "drizzle-orm"
import { Effect } from "effect"
import { type Context, Hono } from "hono"
import { unsupportedContent } from "../../../adapters/ChannelAdapter.ts"
import type { Channels } from "../../../actors/Channels.ts"
import { Conversations } from "../../../actors/Conversations.ts"
import { ResidentSafety } from "../../../actors/safety/ResidentSafety.ts"
import { checkOutboundText } from "../../../domain/safety/outbound-policy/OutboundPolicy.ts"
import type { OutboundContent } from "../../../domain/Outbound.ts"
import type { DatabaseShape, DatabaseUnavailable } from "../../../drizzle/Database.ts"
import { declaredBodyLimit } from "../../http/body-limit/index.ts"
import { jsonError } from "../../http/errors.ts"
import { decodeWith } from "../../http/validate.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"
import { SendBodies, type SendKind } from "./send-schemas.ts"
import { canSee, visibilityOf } from "./access.ts"
import { senderOf } from "./sender.ts"
import { auditActorOf } from "../audit-actor.ts"

const KINDS = Object.keys(SendBodies) as Array<SendKind>

/** The texts of an outbound message the policy check reads, with where they are in the body. */
function outboundTexts(content: OutboundContent): Array<{ path: string; text: string }> {
  switch (content.type) {
    case "text":
      return [{ path: "text", text: content.text }]
    case "interactive": {
      const i = content.interactive
      const parts = [{ path: "interactive.body", text: i.body }]
      if (i.type === "button") i.buttons.forEach((b, n) => parts.push({ path: `interactive.buttons[${n}].title`, text: b.title }))
      return parts
    }
    case "template":
    case "reaction":
      return []
    default:
      return content.media.caption === undefined ? [] : [{ path: "media.caption", text: content.media.caption }]
  }
}
const decoders = Object.fromEntries(KINDS.map((kind) => [kind, decodeWith(SendBodies[kind])])) as { [K in SendKind]: ReturnType<typeof decodeWith<typeof SendBodies[K]>> }
const MAX_IDEMPOTENCY_KEY = 200
/** A reply's JSON: 4,096 characters of text are at most 16 KiB. The same limit and words as main's API body-limit table (gateway/http/api-body-limits): drop this one when both meet. */
export const MAX_SEND_BODY_BYTES = 64 * 1024

function toContent(kind: SendKind, value: any): OutboundContent {
  switch (kind) {
    case "text":
      return { type: "text", text: value.text, previewUrl: value.previewUrl ?? false }
    case "template":
      return { type: "template", template: value.template }
    case "media": {
      const { type, ...media } = value.media
      return { type, media }
    }
    case "interactive":
      return { type: "interactive", interactive: value.interactive }
    case "reaction":
      return { type: "reaction", reaction: value.reaction }
  }
}

export function sendRoutes(runtime: AppRuntime, database: DatabaseShape, channels: Channels["Service"]) {
  const read = <A>(effect: Effect.Effect<A, DatabaseUnavailable>) => Effect.runPromise(effect)
  /** A quoted or reacted-to message may be named by Loket's id; Meta needs its own. */
  const providerId = async (conversationId: string, ref: string): Promise<string | null> => {
    if (!ref.startsWith("msg_")) return ref
    const row = await read(database.one((db, t) => db.select({ providerMessageId: t.messages.providerMessageId }).from(t.messages)
      .where(and(eq(t.messages.id, ref), eq(t.messages.conversationId, conversationId)))))
    return row?.providerMessageId ?? null
  }
  /** Every reply reads its conversation (who may see it, its channel): prepared once, one read per reply. */
  const conversationOf = database.prepare.one((db, t) => db.select({ team: t.conversations.team, assignee: t.conversations.assignee, channel: t.conversations.channel })
    .from(t.conversations).where(eq(t.conversations.id, sql.placeholder("id"))))
  const invalid = (c: Context, message: string, details: Array<{ path: string; message: string }>) =>
    jsonError(c, 422, "invalid_message", message, details)

  /** Whether the conversation exists and the caller may see it (else it answers 404, as if it did not exist). */
  const visibleRow = async (c: Context<AuthEnv>, id: string) => {
    const row = (await read(conversationOf({ id }))) as { team: string | null; assignee: string | null; channel: string } | undefined
    return row !== undefined && canSee(await visibilityOf(runtime, c.get("principal")), row) ? row : undefined
  }
  const visible = async (c: Context<AuthEnv>, id: string) => (await visibleRow(c, id)) !== undefined
  const notFound = (c: Context, id: string) => jsonError(c, 404, "conversation_not_found", `No conversation with id ${id}.`)

  return new Hono<AuthEnv>()
    .post(
      "/:id/messages",
      declaredBodyLimit({
        maxSize: MAX_SEND_BODY_BYTES,
        onError: (c) => jsonError(c, 413, "payload_too_large", `A reply is limited to 64 KiB (${MAX_SEND_BODY_BYTES} bytes): send files through POST /api/v1/media and refer to them by id.`)
      }),
      async function sendMessage(c) {
      const conversationId = c.req.param("id")
      const conversation = await visibleRow(c, conversationId)
      if (conversation === undefined) return notFound(c, conversationId)
      let body: unknown
      try {
        body = await c.req.json()
      } catch {
        return jsonError(c, 400, "invalid_json", "The body is not JSON.")
      }
      const kind = body !== null && typeof body === "object" && !Array.isArray(body) ? KINDS.find((k) => k in body) : undefined
      if (kind === undefined) {
        return invalid(c, `Send one of ${KINDS.join(", ")}: e.g. {"text":"Goedemiddag"}.`, [{ path: "", message: `expected one of ${KINDS.join(", ")}` }])
      }
      const decoded = decoders[kind](body)
      if (!decoded.ok) return invalid(c, `Invalid ${kind} message: ${decoded.details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, decoded.details)
      const value = decoded.value as any
      const content = toContent(kind, value)
      // The conversation's channel says what it can send.
      const channel = conversation.channel
      const adapter = channels.of(channel)
      if (adapter === undefined) {
        return jsonError(c, 503, "channel_not_configured", `This Loket has no ${channel} channel: nothing can be sent on it.`)
      }
      if (adapter !== undefined) {
        const unsupported = unsupportedContent(adapter.capabilities, adapter.label, content.type)
        if (unsupported !== undefined) {
          return jsonError(c, 422, "not_supported_by_channel", `${unsupported.message}.`, [unsupported])
        }
        const problems = adapter.validateOutbound(content)
        if (problems.length > 0) {
          return invalid(c, problems.map((p) => `${p.path}: ${p.message}`).join("; "), problems.map((p) => ({ path: p.path, message: p.message })))
        }
      }
      const label = adapter?.label ?? "the channel"
      if (content.type === "reaction") {
        const target = await providerId(conversationId, content.reaction.messageId)
        if (target === null) return invalid(c, `The message to react to has no ${label} id (yet).`, [{ path: "reaction.messageId", message: "unknown message" }])
        ;(content as { reaction: { messageId: string } }).reaction = { ...content.reaction, messageId: target }
      }
      const replyTo = value.replyTo === undefined ? null : await providerId(conversationId, value.replyTo)
      if (value.replyTo !== undefined && replyTo === null) {
        return invalid(c, `The message to quote has no ${label} id (yet).`, [{ path: "replyTo", message: "unknown message" }])
      }
      if (adapter !== undefined && adapter.sender === undefined) {
        return jsonError(c, 503, "channel_not_configured", `Nothing can be sent on ${channel} yet: set ${adapter.sendRequires} and restart Loket.`)
      }
      const idempotencyKey = c.req.header("idempotency-key") ?? null
      if (idempotencyKey !== null && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)) {
        return jsonError(c, 400, "invalid_idempotency_key", `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY} characters.`)
      }
      const policy = (await runtime.runPromise(ResidentSafety.use((s) => s.current))).outboundPolicy
      const warnings = outboundTexts(content).flatMap(({ path, text }) => checkOutboundText(text, policy.extraTerms).map((w) => ({ ...w, path })))
      if (warnings.length > 0 && policy.mode === "block") {
        return jsonError(c, 422, "outbound_policy", `This message goes against WhatsApp's Business Messaging Policy and the municipality blocks such messages: ${warnings.map((w) => w.message).join(" ")} Rephrase it.`,
          warnings.map((w) => ({ path: w.path, message: `${w.category}: "${w.term}"` })))
      }
      const principal = c.get("principal")
      const result = await runtime.runPromise(
        Conversations.use((actors) => actors.send(conversationId, {
          content, replyTo, idempotencyKey, author: principal.name, sender: senderOf(principal),
          ...(warnings.length === 0 ? {} : { policyWarnings: warnings, actor: auditActorOf(principal) })
        })).pipe(Effect.result)
      )
      if (result._tag === "Failure") {
        const refused = result.failure
        return jsonError(c, refused.status, refused.code, refused.message, refused.details === undefined ? undefined : [...refused.details])
      }
      // `warnings`: what the outbound policy check found (sent anyway, audited); [] when nothing.
      return c.json({ ...result.success, warnings: warnings.map(({ code, category, term, message, path }) => ({ code, category, term, message, path })) }, 202)
    }
    )
    .post("/:id/read", async function markRead(c) {
      const conversationId = c.req.param("id")
      const conversation = await read(database.one((db, t) => db.select().from(t.conversations).where(eq(t.conversations.id, conversationId))))
      if (conversation !== undefined && !(await visible(c, conversationId))) return notFound(c, conversationId)
      if (conversation === undefined) return jsonError(c, 404, "conversation_not_found", `No conversation with id ${conversationId}.`)
      const last = await read(database.one((db, t) => db.select({ id: t.messages.id, providerMessageId: t.messages.providerMessageId }).from(t.messages)
        .where(and(eq(t.messages.conversationId, conversationId), eq(t.messages.direction, "inbound")))
        .orderBy(desc(t.messages.createdAt), desc(t.messages.seq)).limit(1)))
      if (last?.providerMessageId == null) return jsonError(c, 409, "nothing_to_mark", "The resident has sent nothing to mark read.")
      const adapter = channels.of(conversation.channel)
      if (adapter === undefined) return jsonError(c, 503, "channel_not_configured", `This Loket has no ${conversation.channel} channel.`)
      const sender = adapter.sender
      if (sender === undefined) return jsonError(c, 503, "channel_not_configured", `Set ${adapter.sendRequires} to send read receipts.`)
      if (sender.markRead === undefined) {
        return jsonError(c, 422, "not_supported_by_channel", `${adapter.label} has no read receipts.`, [{ path: "", message: `${adapter.label} cannot mark messages read` }])
      }
      try {
        await sender.markRead(conversation.channelAccountId, last.providerMessageId)
      } catch (error) {
        return jsonError(c, 502, "provider_error", `${adapter.label} did not take the read receipt: ${error instanceof Error ? error.message : String(error)}`)
      }
      return c.json({ status: "read", messageId: last.id, providerMessageId: last.providerMessageId })
    })
}
