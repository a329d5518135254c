/**
 * One `value.messages[]` item → an `InboundMessageEvent`, or the reason it cannot be one.
 * The common part lives here (id, time, resident, context, referral); the type-specific
 * part in parse-content.ts.
 */
import type { InboundMessageEvent } from "../../domain/InboundEvent.ts"
import type { Message, Referral } from "../../domain/Message.ts"
import { type Content, readContent, type Rejection } from "./parse-content.ts"
import { firstError, id, obj, str, unixSecondsToIso, type Obj } from "./read.ts"
import { resolveResident, type ContactIndex } from "./resident.ts"

export function parseMessage(
  item: unknown,
  channelAccountId: string,
  contacts: ContactIndex
): InboundMessageEvent | Rejection {
  const message = obj(item)
  if (message === undefined) return { reject: "message is not an object" }
  const messageId = id(message.id)
  if (messageId === null) return { reject: "message without id" }
  // Without a readable timestamp the message is still the resident's: it is dated when it arrived.
  const createdAt = unixSecondsToIso(message.timestamp) ?? new Date().toISOString()
  const resident = resolveResident(contacts, message.from, message.from_user_id)
  if (resident === null) return { reject: "message without from (wa_id) or from_user_id (BSUID)" }
  const content = storable(readContent(message), message)
  const context = obj(message.context)
  return {
    kind: "message",
    key: `whatsapp:msg:${messageId}`,
    channel: "whatsapp",
    channelAccountId,
    resident,
    // Written out field by field: a spread of `content` here cost ~4 µs per message.
    message: {
      type: content.type,
      providerMessageId: messageId,
      createdAt,
      text: content.text,
      media: content.media,
      location: content.location,
      reaction: content.reaction,
      reply: content.reply,
      replyTo: id(context?.id),
      error: content.error,
      forwarded: readForwarded(context),
      contacts: content.contacts,
      referral: readReferral(obj(message.referral)),
      flow: content.flow,
      order: content.order,
      system: content.system
    }
  }
}

/**
 * Meta is loose: a declared type may come without its object (`type: "interactive"` and no
 * `interactive`), or with its essential part missing. The resident did write: such a message is
 * stored as `unsupported`, with the reason as its error (a fixed text, never the resident's
 * words) and a media caption kept as its text, instead of being parked.
 */
function storable(content: Content | Rejection, message: Obj): Content {
  if (!("reject" in content)) return content
  const type = str(message.type)
  const caption = type === null ? null : str(obj(message[type])?.caption)
  return {
    type: "unsupported", text: caption, media: null, location: null, reaction: null, reply: null,
    contacts: null, flow: null, order: null, system: null,
    error: firstError(message.errors) ?? { code: "unreadable", title: content.reject }
  }
}

function readForwarded(context: Obj | undefined): Message["forwarded"] {
  if (context?.frequently_forwarded === true) return "frequently_forwarded"
  if (context?.forwarded === true) return "forwarded"
  return null
}

/** Click-to-WhatsApp ad or post (first message after the click). */
function readReferral(referral: Obj | undefined): Referral | null {
  if (referral === undefined) return null
  return {
    sourceUrl: str(referral.source_url),
    sourceType: str(referral.source_type),
    sourceId: str(referral.source_id),
    headline: str(referral.headline),
    body: str(referral.body),
    ctwaClid: str(referral.ctwa_clid)
  }
}
