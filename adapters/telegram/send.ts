/**
 * Agents' replies on Telegram: `sendMessage` (text), `sendPhoto` (image) and `sendDocument`
 * (document), each by file_id (a file Telegram already has, e.g. one a resident sent) or an
 * https URL Telegram fetches; replies quote through `reply_parameters`. Limits from the Bot
 * API documentation: text 1–4,096 characters, captions up to 1,024.
 */
import type { OutboundContent, OutboundRequest } from "../../domain/Outbound.ts"
import type { ChannelSender, OutboundProblem } from "../ChannelAdapter.ts"
import type { BotApi } from "./bot-api.ts"

export const TELEGRAM_LIMITS = { text: 4096, caption: 1024 } as const

const chars = (text: string) => Array.from(text).length

export function validateTelegramOutbound(content: OutboundContent): Array<OutboundProblem> {
  const problems: Array<OutboundProblem> = []
  const add = (path: string, message: string) => void problems.push({ path, message })
  if (content.type === "text") {
    if (content.text.trim() === "") add("text", "text is empty; a Telegram message needs at least one visible character")
    else if (chars(content.text) > TELEGRAM_LIMITS.text) {
      add("text", `text is ${chars(content.text)} characters; Telegram allows at most ${TELEGRAM_LIMITS.text} for a text message — split it into several messages`)
    }
    return problems
  }
  if (content.type !== "image" && content.type !== "document") {
    add("type", `type ${content.type} cannot be sent over Telegram`)
    return problems
  }
  const ref = content.media
  const hasId = typeof ref.id === "string" && ref.id !== ""
  const hasLink = typeof ref.link === "string" && ref.link !== ""
  if (hasId === hasLink) {
    add("media", hasId ? "media has both id and link; give one of them" : "media needs an id (a Telegram file_id, e.g. of a file the resident sent) or an https link")
  }
  if (hasLink) {
    let url: URL | undefined
    try {
      url = new URL(ref.link!)
    } catch {
      url = undefined
    }
    if (url === undefined || url.protocol !== "https:") add("media.link", "media.link must be an absolute https URL Telegram can fetch")
  }
  if (ref.caption !== undefined && chars(ref.caption) > TELEGRAM_LIMITS.caption) {
    add("media.caption", `media.caption is ${chars(ref.caption)} characters; Telegram allows at most ${TELEGRAM_LIMITS.caption} — shorten it or send the text as a separate text message`)
  }
  if (ref.filename !== undefined && ref.filename !== "") {
    add("media.filename", "Telegram takes the file name from the file itself; leave media.filename out")
  }
  return problems
}

/** The Bot API method and JSON body for one request (validated before). */
export function toBotRequest(request: OutboundRequest): { method: string; body: Record<string, unknown> } {
  const chatId = request.to.userId ?? request.to.waId
  if (chatId === null || !/^-?\d{1,20}$/.test(chatId)) throw new Error("the resident has no Telegram chat id")
  const base: Record<string, unknown> = { chat_id: Number(chatId) }
  if (request.replyTo !== undefined && request.replyTo !== null && /^\d+$/.test(request.replyTo)) {
    // Sent anyway when the quoted message is gone (deleted by the resident).
    base.reply_parameters = { message_id: Number(request.replyTo), allow_sending_without_reply: true }
  }
  const content = request.content
  switch (content.type) {
    case "text":
      return { method: "sendMessage", body: { ...base, text: content.text, link_preview_options: { is_disabled: !content.previewUrl } } }
    case "image":
    case "document": {
      const file = content.media.id ?? content.media.link
      const field = content.type === "image" ? "photo" : "document"
      const caption = content.media.caption === undefined || content.media.caption === "" ? {} : { caption: content.media.caption }
      return { method: content.type === "image" ? "sendPhoto" : "sendDocument", body: { ...base, [field]: file, ...caption } }
    }
    default:
      throw new Error(`Telegram cannot send ${content.type} messages`)
  }
}

export function makeTelegramSender(api: BotApi): ChannelSender {
  return {
    async send(request) {
      let call: { method: string; body: Record<string, unknown> }
      try {
        call = toBotRequest(request)
      } catch (error) {
        throw { retryable: false, code: "invalid_request", title: error instanceof Error ? error.message : String(error), tokenExpired: false, retryAfterMs: null }
      }
      const result = await api.call<{ message_id?: unknown }>(call.method, call.body)
      if (typeof result?.message_id !== "number") {
        throw { retryable: false, code: "unexpected_answer", title: "the Bot API answered ok without a message_id", tokenExpired: false, retryAfterMs: null }
      }
      return { providerMessageId: String(result.message_id) }
    }
  }
}
