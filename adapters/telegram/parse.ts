/**
 * A Bot API `Update` → canonical events. Telegram posts one update per request; Loket takes
 * `message` updates from private chats (a resident writing to the bot): text, photos,
 * documents, locations and venues, shared contacts, voice notes, audio, video, stickers,
 * and what they reply to. Other updates (edits, channel posts, group chats, button presses)
 * are answered 200 and ignored. `update_id` is the idempotency key: Telegram redelivers an
 * update until it gets a 2xx.
 */
import type { InboundMessageBody, InboundMessageEvent, ParsedWebhook } from "../../domain/InboundEvent.ts"
import type { ContactCard, Media } from "../../domain/Message.ts"

type Obj = Record<string, unknown>
const obj = (value: unknown): Obj | undefined => (typeof value === "object" && value !== null && !Array.isArray(value) ? value as Obj : undefined)
const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null)
const int = (value: unknown): number | null => (typeof value === "number" && Number.isSafeInteger(value) ? value : null)
const finite = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null)

/** The `Update` fields Loket does not take, named in the `ignored` answer. */
const OTHER_UPDATES = [
  "edited_message", "channel_post", "edited_channel_post", "business_message", "callback_query", "inline_query",
  "my_chat_member", "chat_member", "message_reaction", "poll", "poll_answer", "chat_join_request"
]

/** The idempotency key of an update. */
export const updateKey = (updateId: number) => `telegram:update:${updateId}`

/** A resident's name as Telegram gives it: first and last name, else the @username. */
export function residentName(from: Obj | undefined): string | null {
  if (from === undefined) return null
  const full = [str(from.first_name), str(from.last_name)].filter((part) => part !== null).join(" ")
  if (full !== "") return full
  const username = str(from.username)
  return username === null ? null : `@${username}`
}

type Content = Pick<InboundMessageBody, "type" | "text" | "media" | "location" | "contacts">

const media = (id: string, mimeType: string, filename: string | null): Media => ({ id, mimeType, sha256: null, filename })

/** The type-specific part; null: a kind of message Loket shows as `unsupported`. */
function readContent(message: Obj): Content | { reject: string } {
  const none = { media: null, location: null, contacts: null }
  const caption = str(message.caption)
  const text = str(message.text)
  if (text !== null) return { type: "text", text, ...none }
  if (Array.isArray(message.photo)) {
    // Telegram lists the sizes from small to large: the largest is the one agents want.
    const sizes = message.photo.map(obj).filter((p): p is Obj => p !== undefined && str(p.file_id) !== null)
    const largest = sizes.reduce<Obj | undefined>((best, p) => (best === undefined || (finite(p.width) ?? 0) * (finite(p.height) ?? 0) >= (finite(best.width) ?? 0) * (finite(best.height) ?? 0) ? p : best), undefined)
    if (largest === undefined) return { reject: "message.photo without a file_id" }
    return { type: "image", text: caption, ...none, media: media(str(largest.file_id)!, "image/jpeg", null) }
  }
  const file = (field: string, type: "document" | "audio" | "video" | "sticker", fallbackMime: string): Content | { reject: string } | undefined => {
    const item = obj(message[field])
    if (item === undefined) return undefined
    const id = str(item.file_id)
    if (id === null) return { reject: `message.${field} without a file_id` }
    return { type, text: caption, ...none, media: media(id, str(item.mime_type) ?? fallbackMime, str(item.file_name)) }
  }
  const found = file("document", "document", "application/octet-stream") ?? file("voice", "audio", "audio/ogg") ?? file("audio", "audio", "audio/mpeg") ??
    file("video", "video", "video/mp4") ?? file("video_note", "video", "video/mp4") ?? file("sticker", "sticker", "image/webp")
  if (found !== undefined) return found
  const venue = obj(message.venue)
  const location = obj(venue?.location) ?? obj(message.location)
  if (location !== undefined) {
    const latitude = finite(location.latitude)
    const longitude = finite(location.longitude)
    if (latitude === null || longitude === null) return { reject: "message.location without latitude and longitude" }
    return { type: "location", text: null, ...none, location: { latitude, longitude, name: str(venue?.title), address: str(venue?.address) } }
  }
  const contact = obj(message.contact)
  if (contact !== undefined) {
    const name = [str(contact.first_name), str(contact.last_name)].filter((p) => p !== null).join(" ")
    const phone = str(contact.phone_number)
    const card: ContactCard = { name: name === "" ? null : name, phones: phone === null ? [] : [phone], emails: [] }
    return { type: "contacts", text: null, ...none, contacts: [card] }
  }
  return { type: "unsupported", text: caption, ...none }
}

export function parseUpdate(body: unknown, botId: string): ParsedWebhook {
  const update = obj(body)
  if (update === undefined) return { events: [], rejected: [{ path: "", reason: "the update is not a JSON object", raw: body }], ignored: null }
  const updateId = int(update.update_id)
  if (updateId === null) return { events: [], rejected: [{ path: "update_id", reason: "update without a numeric update_id", raw: body }], ignored: null }
  const message = obj(update.message)
  if (message === undefined) {
    const kind = OTHER_UPDATES.find((field) => field in update) ?? "unknown"
    return { events: [], rejected: [], ignored: `update type ${kind} is not handled` }
  }
  const chat = obj(message.chat)
  if (chat !== undefined && chat.type !== "private") return { events: [], rejected: [], ignored: "not a private chat" }
  const chatId = int(chat?.id)
  const messageId = int(message.message_id)
  const date = int(message.date)
  const reject = (path: string, reason: string): ParsedWebhook => ({ events: [], rejected: [{ path, reason, raw: body }], ignored: null })
  if (chatId === null) return reject("message.chat.id", "message without a chat id")
  if (messageId === null) return reject("message.message_id", "message without a message_id")
  if (date === null) return reject("message.date", "message without a Unix-seconds date")
  const content = readContent(message)
  if ("reject" in content) return reject("message", content.reject)
  const replyTo = int(obj(message.reply_to_message)?.message_id)
  const event: InboundMessageEvent = {
    kind: "message",
    key: updateKey(updateId),
    channel: "telegram",
    channelAccountId: botId,
    // Telegram has no phone numbers for bots: the private chat's id is the resident's handle.
    resident: { waId: null, userId: String(chatId), name: residentName(obj(message.from)) ?? residentName(chat) },
    message: {
      type: content.type,
      providerMessageId: String(messageId),
      createdAt: new Date(date * 1000).toISOString(),
      text: content.text,
      media: content.media,
      location: content.location,
      reaction: null,
      reply: null,
      replyTo: replyTo === null ? null : String(replyTo),
      error: null,
      forwarded: obj(message.forward_origin) !== undefined ? "forwarded" : null,
      contacts: content.contacts,
      referral: null,
      flow: null,
      order: null,
      system: null
    }
  }
  return { events: [event], rejected: [], ignored: null }
}
