/**
 * A Messenger Platform webhook (`object: "page"` for Messenger, `"instagram"` for Instagram) →
 * canonical events. Each `entry[].messaging[]` item is one of:
 * - `message`: text, attachments (image, video, audio, file, sticker, story mentions, shares…),
 *   a quick reply's payload, what it replies to; `is_echo`: the account's own message (sent by
 *   Loket or another tool such as Meta Business Suite); `is_deleted` (Instagram): the resident
 *   took a message back;
 * - `reaction` (react / unreact), `postback` (a button press), `delivery` and `read` (watermarks).
 * Other fields (optins, referrals, handovers…) are ignored. The resident is the PSID (Messenger)
 * or IGSID (Instagram) in `userId`; their name is not in the webhook (null).
 */
import type { InboundEvent, InboundMessageBody, ParsedWebhook, Resident, StatusEvent } from "../../domain/InboundEvent.ts"
import type { Media } from "../../domain/Message.ts"
import { METADATA_PREFIX, type MetaMessagingProfile, PAGE_INBOX_APP_ID } from "./profile.ts"

type Obj = Record<string, unknown>
const obj = (value: unknown): Obj | undefined => (typeof value === "object" && value !== null && !Array.isArray(value) ? value as Obj : undefined)
const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null)
/** Ids come as strings; some test tools send numbers. */
const id = (value: unknown): string | null =>
  typeof value === "string" && /^\d{1,30}$/.test(value) ? value : typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? String(value) : null
const millis = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null)
const iso = (ms: number) => new Date(ms).toISOString()

export interface ParseOptions {
  /** Loket's own Meta app id (META_APP_ID): echoes of its sends carry it and are not recorded again. */
  readonly ownAppId?: string | undefined
}

const EMPTY: Omit<InboundMessageBody, "type" | "providerMessageId" | "createdAt"> = {
  text: null, media: null, location: null, reaction: null, reply: null, replyTo: null, error: null,
  forwarded: null, contacts: null, referral: null, flow: null, order: null, system: null
}

/** Attachment `type` → Loket's message type; the rest (share, story_mention, ig_reel, fallback…) is `unsupported` with its link. */
const ATTACHMENT_TYPES: Record<string, InboundMessageBody["type"]> = {
  image: "image", video: "video", audio: "audio", file: "document", sticker: "sticker", location: "location"
}

/** The fields of a `messaging[]` item Loket does not take, named in the `ignored` answer. */
const OTHER_FIELDS = ["optin", "referral", "account_linking", "pass_thread_control", "take_thread_control", "request_thread_control", "app_roles", "policy_enforcement", "message_edit"]

function attachmentBody(attachment: Obj): Pick<InboundMessageBody, "type" | "media" | "location" | "text"> | null {
  const kind = str(attachment.type)
  const payload = obj(attachment.payload)
  const url = str(payload?.url)
  if (kind === "location") {
    const c = obj(payload?.coordinates)
    const latitude = typeof c?.lat === "number" ? c.lat : null
    const longitude = typeof c?.long === "number" ? c.long : null
    if (latitude === null || longitude === null) return null
    return { type: "location", media: null, text: null, location: { latitude, longitude, name: str(attachment.title), address: null } }
  }
  const type = kind === null ? "unsupported" : ATTACHMENT_TYPES[kind] ?? "unsupported"
  const media: Media | null = url === null
    ? null
    : { id: url, mimeType: "", sha256: null, filename: str(payload?.title) ?? str(attachment.name), link: url, ...(kind === "sticker" ? { animated: false } : {}) }
  if (media === null && type !== "unsupported") return null
  // A story mention or a shared post: agents see the kind and, through the link, what it was.
  const text = type === "unsupported" && kind !== null ? `[${kind}]` : null
  return { type, media, location: null, text }
}

interface Item {
  readonly channel: MetaMessagingProfile["channel"]
  readonly account: string
  readonly resident: Resident
  readonly at: string
}

function messageEvents(item: Item, message: Obj, options: ParseOptions): { events: Array<InboundEvent>; rejected?: string; skip?: boolean } {
  const mid = str(message.mid)
  if (mid === null) return { events: [], rejected: "message without a mid" }
  const key = `${item.channel}:msg:${mid}`
  const base = { kind: "message" as const, channel: item.channel, channelAccountId: item.account, resident: item.resident }
  let echo: { author: string; trackingId: string | null } | undefined
  if (message.is_echo === true) {
    const appId = id(message.app_id)
    const metadata = str(message.metadata)
    const trackingId = metadata !== null && metadata.startsWith(METADATA_PREFIX) ? metadata.slice(METADATA_PREFIX.length) : null
    // Loket's own send without metadata (Instagram): known by its app id, bound when the Send API answers.
    if (trackingId === null && appId !== null && appId === options.ownAppId) return { events: [], skip: true }
    echo = { author: appId === null || appId === PAGE_INBOX_APP_ID ? "Meta Business Suite" : `Meta app ${appId}`, trackingId }
  }
  const common = { providerMessageId: mid, createdAt: item.at }
  if (message.is_deleted === true) {
    return {
      events: [{
        ...base, key: `${item.channel}:deleted:${mid}`,
        message: { ...EMPTY, ...common, providerMessageId: null, type: "system", replyTo: mid, system: { type: "message_deleted", body: null, newWaId: null, newUserId: null } }
      }]
    }
  }
  const replyTo = str(obj(message.reply_to)?.mid)
  const story = obj(obj(message.reply_to)?.story)
  const text = str(message.text)
  const quick = str(obj(message.quick_reply)?.payload)
  const attachments = Array.isArray(message.attachments) ? message.attachments.map(obj).filter((a): a is Obj => a !== undefined) : []
  const withEcho = <E extends object>(event: E) => (echo === undefined ? event : { ...event, echo })
  const events: Array<InboundEvent> = []
  if (attachments.length === 0) {
    if (text === null) return { events: [withEcho({ ...base, key, message: { ...EMPTY, ...common, type: "unsupported" as const, replyTo } })] }
    const body: InboundMessageBody = quick !== null
      ? { ...EMPTY, ...common, type: "button", text, reply: { id: quick, title: text }, replyTo }
      : { ...EMPTY, ...common, type: "text", text, replyTo: replyTo ?? str(story?.id),
        // A reply to one of the account's stories (Instagram): the story's link, for the agent.
        media: story === undefined || str(story.url) === null ? null : { id: str(story.url)!, mimeType: "", sha256: null, filename: null, link: str(story.url)! } }
    return { events: [withEcho({ ...base, key, message: body })] }
  }
  for (const [index, attachment] of attachments.entries()) {
    const content = attachmentBody(attachment)
    if (content === null) return { events: [], rejected: `message.attachments[${index}] without a payload.url` }
    // One message per attachment (the contract's Message has one media); the first keeps the mid's key.
    events.push(withEcho({
      ...base, key: index === 0 ? key : `${key}:${index}`,
      message: { ...EMPTY, ...common, ...content, text: index === 0 ? text ?? content.text : content.text, replyTo }
    }))
  }
  return { events }
}

function statusEvent(item: Item, status: "delivered" | "read", key: string, providerMessageId: string, upTo: string | undefined): StatusEvent {
  return {
    kind: "status", key, channel: item.channel, channelAccountId: item.account, resident: item.resident,
    providerMessageId, status, timestamp: item.at, error: null, trackingId: null, ...(upTo === undefined ? {} : { upTo })
  }
}

/** One `messaging[]` item → its events, or why it is parked, or the field it holds that Loket ignores. */
function itemEvents(profile: MetaMessagingProfile, entryId: string | null, m: Obj, options: ParseOptions): { events: Array<InboundEvent>; rejected?: string; ignored?: string } {
  const sender = id(obj(m.sender)?.id)
  const recipient = id(obj(m.recipient)?.id)
  const ms = millis(m.timestamp)
  const message = obj(m.message)
  const isEcho = message?.is_echo === true
  const residentId = isEcho ? recipient : sender
  const account = entryId ?? (isEcho ? sender : recipient)
  if (residentId === null) return { events: [], rejected: isEcho ? "echo without a recipient.id" : "event without a sender.id" }
  if (account === null) return { events: [], rejected: "event without the receiving account (entry.id or recipient.id)" }
  if (ms === null) return { events: [], rejected: "event without a millisecond timestamp" }
  const item: Item = { channel: profile.channel, account, resident: { waId: null, userId: residentId, name: null }, at: iso(ms) }
  if (message !== undefined) {
    const result = messageEvents(item, message, options)
    return result.skip === true ? { events: [], ignored: "echo of Loket's own send" } : result
  }
  const reaction = obj(m.reaction)
  if (reaction !== undefined) {
    const mid = str(reaction.mid)
    if (mid === null) return { events: [], rejected: "reaction without a mid" }
    const removed = reaction.action === "unreact"
    const emoji = removed ? null : str(reaction.emoji) ?? (str(reaction.reaction) === "love" ? "❤️" : str(reaction.reaction))
    return {
      events: [{
        kind: "message", key: `${profile.channel}:reaction:${residentId}:${mid}:${removed ? "unreact" : "react"}:${ms}`,
        channel: profile.channel, channelAccountId: account, resident: item.resident,
        message: { ...EMPTY, type: "reaction", providerMessageId: null, createdAt: item.at, reaction: { emoji, messageId: mid } }
      }]
    }
  }
  const postback = obj(m.postback)
  if (postback !== undefined) {
    const title = str(postback.title) ?? ""
    const payload = str(postback.payload) ?? ""
    const mid = str(postback.mid)
    return {
      events: [{
        kind: "message", key: `${profile.channel}:postback:${mid ?? `${residentId}:${ms}`}`,
        channel: profile.channel, channelAccountId: account, resident: item.resident,
        message: { ...EMPTY, type: "button", providerMessageId: mid, createdAt: item.at, text: title === "" ? null : title, reply: { id: payload, title } }
      }]
    }
  }
  const delivery = obj(m.delivery)
  if (delivery !== undefined) {
    const mids = Array.isArray(delivery.mids) ? delivery.mids.map(str).filter((x): x is string => x !== null) : []
    const watermark = millis(delivery.watermark)
    const events: Array<InboundEvent> = mids.map((mid) => statusEvent(item, "delivered", `${profile.channel}:status:${mid}:delivered`, mid, undefined))
    if (watermark !== null) {
      events.push(statusEvent(item, "delivered", `${profile.channel}:status:upto:${residentId}:delivered:${watermark}`, "", iso(watermark)))
    }
    return events.length === 0 ? { events, rejected: "delivery without mids or a watermark" } : { events }
  }
  const read = obj(m.read)
  if (read !== undefined) {
    // Messenger: a watermark; Instagram: the mid read (everything before it is read too: the thread was opened).
    const watermark = millis(read.watermark) ?? ms
    const mid = str(read.mid)
    const events: Array<InboundEvent> = mid === null ? [] : [statusEvent(item, "read", `${profile.channel}:status:${mid}:read`, mid, undefined)]
    events.push(statusEvent(item, "read", `${profile.channel}:status:upto:${residentId}:read:${watermark}`, "", iso(watermark)))
    return { events }
  }
  const other = OTHER_FIELDS.find((field) => field in m) ?? "unknown"
  return { events: [], ignored: `messaging event ${other} is not handled` }
}

export function parseMessagingWebhook(profile: MetaMessagingProfile, body: unknown, options: ParseOptions = {}): ParsedWebhook {
  const root = obj(body)
  if (root === undefined) return { events: [], rejected: [{ path: "", reason: "the webhook body is not a JSON object", raw: body }], ignored: null }
  if (root.object !== profile.object) {
    return { events: [], rejected: [], ignored: `object ${JSON.stringify(root.object ?? null).slice(0, 40)} is not ${profile.object} (this is /webhooks/${profile.channel})` }
  }
  if (!Array.isArray(root.entry)) return { events: [], rejected: [{ path: "entry", reason: "entry is not an array", raw: body }], ignored: null }
  const events: Array<InboundEvent> = []
  const rejected: Array<{ path: string; reason: string; raw: unknown }> = []
  const ignored: Array<string> = []
  for (const [e, rawEntry] of root.entry.entries()) {
    const entry = obj(rawEntry)
    if (entry === undefined) {
      rejected.push({ path: `entry[${e}]`, reason: "entry is not an object", raw: rawEntry })
      continue
    }
    const messaging = Array.isArray(entry.messaging) ? entry.messaging : Array.isArray(entry.standby) ? [] : null
    if (messaging === null) {
      ignored.push(Array.isArray(entry.changes) ? "entry.changes (feed, comments) are not handled" : "entry without messaging")
      continue
    }
    for (const [i, rawItem] of messaging.entries()) {
      const item = obj(rawItem)
      const path = `entry[${e}].messaging[${i}]`
      if (item === undefined) {
        rejected.push({ path, reason: "messaging item is not an object", raw: rawItem })
        continue
      }
      const result = itemEvents(profile, id(entry.id), item, options)
      events.push(...result.events)
      if (result.rejected !== undefined) rejected.push({ path, reason: result.rejected, raw: rawItem })
      if (result.ignored !== undefined) ignored.push(result.ignored)
    }
  }
  return { events, rejected, ignored: events.length === 0 && rejected.length === 0 ? (ignored[0] ?? "no messaging events") : null }
}
