/**
 * Agents' replies over the Send API (Messenger and Instagram):
 * - `recipient: { id }` = the PSID / IGSID; `messaging_type: "RESPONSE"` inside the 24-hour window,
 *   `"MESSAGE_TAG"` with `tag: "HUMAN_AGENT"` between 24 hours and 7 days — only when the actor set
 *   `request.tag` (window-rule.ts), only for what a person wrote (`request.automated` is refused),
 *   and only when the account has Meta's Human Agent permission (MESSENGER_HUMAN_AGENT /
 *   INSTAGRAM_HUMAN_AGENT). The tags Meta retired (CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE,
 *   ACCOUNT_UPDATE) are never sent.
 * - text (`message.text`), attachments by URL (`payload.url`) or uploaded id (`payload.attachment_id`),
 *   reply buttons as `quick_replies` (≤ 13, titles ≤ 20 characters), reactions (`sender_action:
 *   "react"`, Instagram) and, on Messenger, `message.metadata` = `loket:<trackingId>` so the echo
 *   of the send is recognised.
 */
import type { OutboundContent, OutboundRequest } from "../../domain/Outbound.ts"
import type { ChannelSender, OutboundProblem } from "../ChannelAdapter.ts"
import { METADATA_PREFIX, type MetaMessagingProfile, QUICK_REPLY_LIMITS } from "./profile.ts"
import { SendApiError, type SendApi } from "./send-api.ts"

const chars = (text: string) => Array.from(text).length

/** Attachment types of the Send API, by Loket's content type. */
const ATTACHMENT_TYPE: Record<string, string> = { image: "image", video: "video", audio: "audio", document: "file" }

/** The only reaction Instagram's Send API takes, and the emoji agents send for it. */
const LOVE = ["❤️", "❤"]

export function validateMetaOutbound(profile: MetaMessagingProfile, content: OutboundContent): Array<OutboundProblem> {
  const problems: Array<OutboundProblem> = []
  const add = (path: string, message: string) => void problems.push({ path, message })
  const max = profile.capabilities.maxTextLength
  const label = profile.label
  const text = (path: string, value: string) => {
    if (value.trim() === "") add(path, `${path} is empty; a ${label} message needs at least one visible character`)
    else if (chars(value) > max) add(path, `${path} is ${chars(value)} characters; ${label} allows at most ${max} — split it into several messages`)
  }
  switch (content.type) {
    case "text":
      text("text", content.text)
      return problems
    case "image":
    case "video":
    case "audio":
    case "document": {
      const ref = content.media
      const hasId = typeof ref.id === "string" && ref.id !== ""
      const hasLink = typeof ref.link === "string" && ref.link !== ""
      if (hasId === hasLink) add("media", hasId ? "media has both id and link; give one of them" : `media needs an id (an attachment_id ${label} gave for an upload) or an https link`)
      if (hasId && !/^\d{1,30}$/.test(ref.id!)) add("media.id", `media.id must be a numeric ${label} attachment_id`)
      if (hasLink) {
        let url: URL | undefined
        try {
          url = new URL(ref.link!)
        } catch {
          url = undefined
        }
        if (url === undefined || url.protocol !== "https:") add("media.link", `media.link must be an absolute https URL ${label} can fetch`)
      }
      if (ref.caption !== undefined && ref.caption !== "") add("media.caption", `${label} attachments have no caption; leave media.caption out and send the text as a separate text message`)
      if (ref.filename !== undefined && ref.filename !== "") add("media.filename", `${label} takes the file name from the file itself; leave media.filename out`)
      return problems
    }
    case "interactive": {
      const i = content.interactive
      if (i.type !== "button") {
        add("interactive.type", `${label} has no list messages; send reply buttons (interactive.type "button"), shown as quick replies`)
        return problems
      }
      text("interactive.body", i.body)
      if (i.header !== undefined) add("interactive.header", `${label} quick replies have no header; put it in interactive.body`)
      if (i.footer !== undefined) add("interactive.footer", `${label} quick replies have no footer; put it in interactive.body`)
      if (i.buttons.length < 1 || i.buttons.length > QUICK_REPLY_LIMITS.count) {
        add("interactive.buttons", `${label} takes 1 to ${QUICK_REPLY_LIMITS.count} quick replies, got ${i.buttons.length}`)
      }
      i.buttons.forEach((b, n) => {
        if (b.title.trim() === "" || chars(b.title) > QUICK_REPLY_LIMITS.title) {
          add(`interactive.buttons[${n}].title`, `a quick reply's title is 1 to ${QUICK_REPLY_LIMITS.title} characters on ${label}, got ${chars(b.title)}`)
        }
        if (b.id === "" || chars(b.id) > QUICK_REPLY_LIMITS.payload) add(`interactive.buttons[${n}].id`, `a quick reply's id (its payload) is 1 to ${QUICK_REPLY_LIMITS.payload} characters`)
      })
      return problems
    }
    case "reaction":
      if (content.reaction.emoji !== "" && !LOVE.includes(content.reaction.emoji)) {
        add("reaction.emoji", `${label} takes only the heart as a reaction: send "❤️", or "" to take the reaction back`)
      }
      return problems
    default:
      add("type", `type ${content.type} cannot be sent over ${label}`)
      return problems
  }
}

/** The Send API body for one request (validated before). Throws for what cannot be sent at all. */
export function toSendApiBody(profile: MetaMessagingProfile, request: OutboundRequest): Record<string, unknown> {
  const recipientId = request.to.userId
  if (recipientId === null || !/^\d{1,30}$/.test(recipientId)) throw new Error(`the resident has no ${profile.label} id`)
  const recipient = { id: recipientId }
  const content = request.content
  if (content.type === "reaction") {
    const remove = content.reaction.emoji === ""
    return {
      recipient,
      sender_action: remove ? "unreact" : "react",
      payload: remove ? { message_id: content.reaction.messageId } : { message_id: content.reaction.messageId, reaction: "love" }
    }
  }
  const timing = request.tag === undefined ? { messaging_type: "RESPONSE" } : { messaging_type: "MESSAGE_TAG", tag: request.tag }
  const metadata = profile.metadata ? { metadata: `${METADATA_PREFIX}${request.trackingId}` } : {}
  switch (content.type) {
    case "text":
      return { recipient, ...timing, message: { text: content.text, ...metadata } }
    case "interactive": {
      const i = content.interactive
      if (i.type !== "button") throw new Error(`${profile.label} has no list messages`)
      return {
        recipient, ...timing,
        message: { text: i.body, quick_replies: i.buttons.map((b) => ({ content_type: "text", title: b.title, payload: b.id })), ...metadata }
      }
    }
    case "image":
    case "video":
    case "audio":
    case "document": {
      const payload = content.media.id !== undefined && content.media.id !== "" ? { attachment_id: content.media.id } : { url: content.media.link, is_reusable: false }
      return { recipient, ...timing, message: { attachment: { type: ATTACHMENT_TYPE[content.type], payload }, ...metadata } }
    }
    default:
      throw new Error(`${profile.label} cannot send ${content.type} messages`)
  }
}

const refuse = (code: string, title: string) => new SendApiError("Loket", { retryable: false, code, title, tokenExpired: false, retryAfterMs: null })

/** The Send API's attachment type for a file's MIME type. */
export const attachmentTypeOf = (mimeType: string) =>
  mimeType.startsWith("image/") ? "image" : mimeType.startsWith("video/") ? "video" : mimeType.startsWith("audio/") ? "audio" : "file"

export function makeMetaSender(profile: MetaMessagingProfile, api: SendApi, humanAgent: boolean, uploads = false): ChannelSender {
  const tagName = profile.capabilities.window.kind === "reply" ? profile.capabilities.window.tag?.name : undefined
  const uploadMedia: ChannelSender["uploadMedia"] = async (_account, file) => {
    const form = new FormData()
    form.set("message", JSON.stringify({ attachment: { type: attachmentTypeOf(file.mimeType), payload: { is_reusable: true } } }))
    form.set("filedata", new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.mimeType }), file.filename || "file")
    const answer = await api.upload(form)
    if (typeof answer.attachment_id !== "string" || answer.attachment_id === "") throw refuse("unexpected_answer", "the Attachment Upload API answered without an attachment_id")
    return { id: answer.attachment_id }
  }
  return {
    ...(uploads ? { uploadMedia } : {}),
    async send(request) {
      if (request.tag !== undefined) {
        // Defence in depth: the actor already refuses these with 422 window_closed.
        if (request.tag !== tagName) throw refuse("tag_not_offered", `${profile.label} replies carry no message tag but ${tagName}; ${request.tag} is not offered`)
        if (request.automated === true) throw refuse("tag_not_for_automated", `${tagName} is only for replies a person wrote, never for an automatic reply`)
        if (!humanAgent) {
          throw refuse("human_agent_not_enabled", `the 24-hour window has closed and ${tagName} is not enabled: set ${profile.humanAgentVariable}=true once Meta granted the Human Agent permission`)
        }
      }
      let body: Record<string, unknown>
      try {
        body = toSendApiBody(profile, request)
      } catch (error) {
        throw refuse("invalid_request", error instanceof Error ? error.message : String(error))
      }
      const answer = await api.post(body)
      if (typeof answer.message_id === "string" && answer.message_id !== "") return { providerMessageId: answer.message_id }
      // A sender action (a reaction) has no message id of its own.
      if (request.content.type === "reaction") return { providerMessageId: `reaction:${request.trackingId}` }
      throw refuse("unexpected_answer", "the Send API answered without a message_id")
    }
  }
}
