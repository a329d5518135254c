/**
 * Twilio's form posts → canonical events. One route receives both kinds Twilio sends:
 * - a resident's SMS/MMS (`MessageSid`, `From`, `To`, `Body`, `NumMedia`, `MediaUrl0…`,
 *   `MediaContentType0…`, `NumSegments`): a message event keyed `sms:msg:<MessageSid>`;
 * - a status callback of an agent's reply (`MessageSid`, `MessageStatus`, `ErrorCode`, no
 *   `Body`): a status event keyed `sms:status:<MessageSid>:<status>`.
 * Twilio puts no time on either: the moment Loket receives it stands in.
 * The resident's handle is the E.164 number without `+` (as WhatsApp's `wa_id`); the
 * conversation's account is the municipality's number as Twilio writes it (`+3197010…`), so a
 * reply goes out from the number the resident texted.
 */
import type { DeliveryStatus, InboundMessageEvent, ParsedWebhook, Resident, StatusEvent } from "../../domain/InboundEvent.ts"
import type { MessageType } from "../../domain/Message.ts"
import { errorTitle } from "./errors.ts"

type Form = Record<string, string>

const E164 = /^\+[1-9]\d{6,14}$/
/** Twilio's message SIDs are SM/MM + 32 hex; a compatible provider may use its own ids: letters, digits, - and _. */
const MESSAGE_SID = /^[A-Za-z0-9_-]{1,64}$/

/** The resident as Loket stores them: the E.164 number without `+` (like WhatsApp's wa_id); SMS gives no name. */
export const residentOf = (e164: string): Resident => ({ waId: e164.slice(1), userId: null, name: null })

/** What Twilio's `MessageStatus` means for Loket; null: a step before sending (queued, sending…), not recorded. */
const STATUS: Record<string, DeliveryStatus | null> = {
  accepted: null, scheduled: null, queued: null, sending: null, receiving: null, received: null,
  sent: "sent", delivered: "delivered", read: "read", undelivered: "failed", failed: "failed", canceled: "failed"
}

const form = (body: unknown): Form | undefined =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? body as Form : undefined

const typeOf = (mimeType: string): MessageType => {
  if (mimeType.startsWith("image/")) return "image"
  if (mimeType.startsWith("video/")) return "video"
  if (mimeType.startsWith("audio/")) return "audio"
  return "document"
}

/** `sms:<MessageSid>:<MediaSid>`: what `GET /api/v1/media/:id` fetches from the Messages API. */
export const mediaIdOf = (messageSid: string, mediaUrl: string | undefined): string | null => {
  const sid = /\/Media\/(ME[0-9a-fA-F]{32})(?:\.json)?$/.exec(mediaUrl ?? "")?.[1]
  return sid === undefined ? null : `sms:${messageSid}:${sid}`
}

export function parseTwilioWebhook(body: unknown, now: () => Date = () => new Date()): ParsedWebhook {
  const fields = form(body)
  const reject = (path: string, reason: string): ParsedWebhook => ({ events: [], rejected: [{ path, reason, raw: body }], ignored: null })
  if (fields === undefined) return reject("", "the body is not a form")
  const sid = fields.MessageSid ?? fields.SmsSid
  if (sid === undefined || !MESSAGE_SID.test(sid)) return reject("MessageSid", "a post without a valid MessageSid")
  if (fields.Body === undefined && fields.MessageStatus !== undefined) return parseStatus(fields, sid, now, reject)
  if (fields.Body === undefined && fields.NumMedia === undefined) return { events: [], rejected: [], ignored: "neither a message (Body) nor a status callback (MessageStatus)" }
  const from = fields.From ?? ""
  const to = fields.To ?? ""
  if (!E164.test(from)) return reject("From", "From is not an E.164 phone number")
  if (!E164.test(to)) return reject("To", "To is not an E.164 phone number")
  const count = Number(fields.NumMedia ?? "0")
  if (!Number.isSafeInteger(count) || count < 0 || count > 10) return reject("NumMedia", "NumMedia is not a number from 0 to 10")
  const createdAt = now().toISOString()
  const text = fields.Body === undefined || fields.Body === "" ? null : fields.Body
  const base = (n: number, type: MessageType, media: InboundMessageEvent["message"]["media"], body: string | null): InboundMessageEvent => ({
    kind: "message",
    // One event per picture: the first carries the text; Twilio redelivers the whole post, so the suffixes are stable.
    key: n === 0 ? `sms:msg:${sid}` : `sms:msg:${sid}:${n}`,
    channel: "sms",
    channelAccountId: to,
    resident: residentOf(from),
    message: {
      type, providerMessageId: n === 0 ? sid : `${sid}:${n}`, createdAt, text: body, media, location: null, reaction: null, reply: null,
      replyTo: null, error: null, forwarded: null, contacts: null, referral: null, flow: null, order: null, system: null
    }
  })
  if (count === 0) return { events: [base(0, text === null ? "unsupported" : "text", null, text)], rejected: [], ignored: null }
  const events: Array<InboundMessageEvent> = []
  for (let n = 0; n < count; n++) {
    const mimeType = fields[`MediaContentType${n}`] ?? "application/octet-stream"
    const id = mediaIdOf(sid, fields[`MediaUrl${n}`])
    if (id === null) return reject(`MediaUrl${n}`, `MediaUrl${n} is not a Twilio media URL (…/Messages/<sid>/Media/ME…)`)
    events.push(base(n, typeOf(mimeType), { id, mimeType, sha256: null, filename: null }, n === 0 ? text : null))
  }
  return { events, rejected: [], ignored: null }
}

function parseStatus(fields: Form, sid: string, now: () => Date, reject: (path: string, reason: string) => ParsedWebhook): ParsedWebhook {
  const value = fields.MessageStatus!
  // A status Twilio may add later is a lowercase word, named in the reason; anything else (digits, a
  // number, free text) is not echoed: a reason is kept and shown, and must not carry a resident's data.
  if (!(value in STATUS)) {
    return reject("MessageStatus", /^[a-z_-]{1,20}$/.test(value)
      ? `unknown MessageStatus ${JSON.stringify(value)}`
      : `unknown MessageStatus (not a Twilio status word; expected one of ${Object.keys(STATUS).join(", ")})`)
  }
  const status = STATUS[value]
  if (status === null || status === undefined) return { events: [], rejected: [], ignored: `MessageStatus ${value} is a step before delivery` }
  const from = fields.From ?? ""
  const to = fields.To ?? ""
  if (!E164.test(to)) return reject("To", "To is not an E.164 phone number")
  const code = fields.ErrorCode === undefined || fields.ErrorCode === "" ? null : fields.ErrorCode
  const error = status !== "failed" ? null : {
    code: code !== null && /^\d{1,6}$/.test(code) ? Number(code) : code ?? value,
    title: errorTitle(code, value)
  }
  const event: StatusEvent = {
    kind: "status",
    key: `sms:status:${sid}:${value}`,
    channel: "sms",
    // A Messaging Service's callbacks come from the pool's number; the message is found by its sid anyway.
    channelAccountId: E164.test(from) ? from : fields.MessagingServiceSid ?? from,
    resident: residentOf(to),
    providerMessageId: sid,
    status,
    timestamp: now().toISOString(),
    error,
    trackingId: null
  }
  return { events: [event], rejected: [], ignored: null }
}
