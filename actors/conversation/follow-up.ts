/**
 * The follow-up template ("Heb je nog hulp nodig?"): the settings' approved template, its quick
 * replies carrying Loket's payloads, written like the other auto messages (flag `auto`, author
 * `loket`, outbox row in the caller's transaction, window and `lastOutboundAt` untouched).
 */
import { Effect } from "effect"
import { newMessageId } from "../../domain/ids.ts"
import type { FollowUp } from "../../domain/settings/followUp.ts"
import type { ContactRow, ConversationRow, MessageRow, TemplateRow } from "../../drizzle/schema.ts"
import { AUTO_FLAG, LOKET_AUTHOR, LOKET_SENDER, queueLoketMessage } from "./auto-reply.ts"
import type { ActorDeps } from "./deps.ts"
import { renderTemplateText } from "./template-check.ts"

/** The payload a tap on the follow-up's quick reply `index` brings back (a `button` message). */
export const followUpPayload = (index: number) => `loket:follow-up:${index}`

/** Meta's template send: name, language, and a quick-reply payload per configured button. */
export function followUpContent(followUp: FollowUp) {
  const components = (followUp.template.buttons ?? []).map((_title, index) => ({
    type: "button", sub_type: "quick_reply", index: String(index),
    parameters: [{ type: "payload", payload: followUpPayload(index) }]
  }))
  return {
    type: "template" as const,
    template: { name: followUp.template.name, language: followUp.template.language, ...(components.length > 0 ? { components } : {}) }
  }
}

export const writeAutoTemplate = (
  deps: ActorDeps,
  conversation: ConversationRow,
  contact: ContactRow,
  content: ReturnType<typeof followUpContent>,
  template: TemplateRow | undefined,
  now: string
) =>
  Effect.suspend(() => {
    const components = content.template.components ?? []
    const row: MessageRow = {
      seq: 0, id: newMessageId(), conversationId: conversation.id, direction: "outbound", type: "template",
      dedupeKey: null, providerMessageId: null, createdAt: now, status: "queued",
      text: renderTemplateText(template, components), replyTo: null,
      content: { template: { name: content.template.name, language: content.template.language, components }, sender: LOKET_SENDER },
      error: null, flags: [AUTO_FLAG, "auto:follow-up"], idempotencyKey: null, author: LOKET_AUTHOR
    }
    return queueLoketMessage(deps, conversation, contact, row, content, now)
  })
