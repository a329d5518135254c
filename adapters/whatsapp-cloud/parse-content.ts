/**
 * The type-specific part of an inbound message: Meta's `messages[].<type>` object → the
 * matching fields of our `InboundMessageBody`. Every field not applicable stays null.
 * A message whose essential part is missing (media without id, reaction without target,
 * location without coordinates…) is rejected, so the caller parks it with its raw JSON.
 */
import type { InboundMessageBody } from "../../domain/InboundEvent.ts"
import type { ContactCard, Media, MessageType, Order } from "../../domain/Message.ts"
import { arr, firstError, id, idLike, num, obj, str, type Obj } from "./read.ts"

export type Content = Pick<
  InboundMessageBody,
  "type" | "text" | "media" | "location" | "reaction" | "reply" | "contacts" | "flow" | "order" | "system" | "error"
>
export interface Rejection {
  readonly reject: string
}
const reject = (reason: string): Rejection => ({ reject: reason })

const MEDIA_TYPES = new Set(["image", "audio", "video", "document", "sticker"])

/**
 * One object literal of one fixed shape. Spreading (`{ ...base, text }`) made the whole
 * parse 3–4× slower: V8 copies spread properties on a slow path.
 */
function content(type: MessageType, part: Partial<Content>): Content {
  return {
    type,
    text: part.text ?? null,
    media: part.media ?? null,
    location: part.location ?? null,
    reaction: part.reaction ?? null,
    reply: part.reply ?? null,
    contacts: part.contacts ?? null,
    flow: part.flow ?? null,
    order: part.order ?? null,
    system: part.system ?? null,
    error: part.error ?? null
  }
}

/** Dispatches on `messages[].type`; unknown types become `unsupported`, never an error. */
export function readContent(message: Obj): Content | Rejection {
  const type = str(message.type)
  if (type !== null && MEDIA_TYPES.has(type)) return readMedia(type as MessageType, obj(message[type]))
  switch (type) {
    case "text": return readText(obj(message.text))
    case "location": return readLocation(obj(message.location))
    case "contacts": return readContacts(message.contacts)
    case "interactive": return readInteractive(obj(message.interactive), message)
    case "button": return readButton(obj(message.button))
    case "reaction": return readReaction(obj(message.reaction))
    case "order": return readOrder(obj(message.order))
    case "system": return readSystem(obj(message.system))
    case "request_welcome":
      return content("system", { system: { type: "request_welcome", body: null, newWaId: null, newUserId: null } })
    default:
      // `unsupported`, Meta's `unknown`, and any type Meta adds later.
      return content("unsupported", { error: firstError(message.errors) })
  }
}

function readText(text: Obj | undefined): Content | Rejection {
  const body = str(text?.body)
  return body === null ? reject("text message without text.body") : content("text", { text: body })
}

function readMedia(type: MessageType, part: Obj | undefined): Content | Rejection {
  const mediaId = idLike(part?.id)
  if (part === undefined || mediaId === null) return reject(`${type} message without ${type}.id`)
  let media: Media = {
    id: mediaId,
    // Meta always sends mime_type; should it be missing, the media download tells the truth.
    mimeType: str(part.mime_type) ?? "application/octet-stream",
    sha256: str(part.sha256),
    filename: type === "document" ? str(part.filename) : null
  }
  if (type === "sticker") media = { ...media, animated: part.animated === true }
  return content(type, { media, text: str(part.caption) })
}

function readLocation(location: Obj | undefined): Content | Rejection {
  const latitude = num(location?.latitude)
  const longitude = num(location?.longitude)
  if (location === undefined || latitude === null || longitude === null) {
    return reject("location message without numeric latitude/longitude")
  }
  return content("location", { location: { latitude, longitude, name: str(location.name), address: str(location.address) } })
}

function readContacts(contacts: unknown): Content | Rejection {
  const list = arr(contacts)
  if (list === undefined) return reject("contacts message without contacts[]")
  const cards: Array<ContactCard> = []
  for (const item of list) {
    const card = obj(item)
    if (card === undefined) continue
    const name = obj(card.name)
    cards.push({
      name: str(name?.formatted_name) ?? joinName(name),
      phones: strings(card.phones, (p) => str(p.phone) ?? str(p.wa_id)),
      emails: strings(card.emails, (e) => str(e.email))
    })
  }
  return content("contacts", { contacts: cards })
}

function joinName(name: Obj | undefined): string | null {
  const parts = [str(name?.first_name), str(name?.last_name)].filter((p): p is string => p !== null && p !== "")
  return parts.length > 0 ? parts.join(" ") : null
}

function strings(list: unknown, pick: (item: Obj) => string | null): Array<string> {
  const out: Array<string> = []
  for (const item of arr(list) ?? []) {
    const o = obj(item)
    const value = o === undefined ? null : pick(o)
    if (value !== null) out.push(value)
  }
  return out
}

function readInteractive(interactive: Obj | undefined, message: Obj): Content | Rejection {
  const kind = str(interactive?.type)
  if (interactive === undefined) return reject("interactive message without interactive object")
  if (kind === "button_reply" || kind === "list_reply") {
    const reply = obj(interactive[kind])
    const replyId = id(reply?.id)
    const title = str(reply?.title)
    if (replyId === null || title === null) return reject(`interactive ${kind} without id/title`)
    return content("interactive", { reply: { id: replyId, title } })
  }
  if (kind === "nfm_reply") {
    const flow = obj(interactive.nfm_reply)
    if (flow === undefined) return reject("interactive nfm_reply without nfm_reply object")
    return content("interactive", { flow: { name: str(flow.name), body: str(flow.body), responseJson: str(flow.response_json) } })
  }
  // An interactive reply kind we do not know: show it as unsupported rather than as an empty answer.
  return content("unsupported", { error: firstError(message.errors) })
}

function readButton(button: Obj | undefined): Content | Rejection {
  const text = str(button?.text)
  const payload = id(button?.payload) ?? (text !== null && text !== "" ? text : null)
  if (text === null || payload === null) return reject("button message without button.text/payload")
  return content("button", { text, reply: { id: payload, title: text } })
}

function readReaction(reaction: Obj | undefined): Content | Rejection {
  const target = id(reaction?.message_id)
  if (target === null) return reject("reaction message without reaction.message_id")
  const emoji = str(reaction?.emoji)
  // An empty or absent emoji means the resident removed the reaction.
  return content("reaction", { reaction: { emoji: emoji === null || emoji === "" ? null : emoji, messageId: target } })
}

function readOrder(order: Obj | undefined): Content | Rejection {
  const products = arr(order?.product_items)
  if (order === undefined || products === undefined) return reject("order message without order.product_items[]")
  const items: Array<Order["items"][number]> = []
  for (const item of products) {
    const product = obj(item)
    const productRetailerId = idLike(product?.product_retailer_id)
    const quantity = num(product?.quantity)
    if (product === undefined || productRetailerId === null || quantity === null) {
      return reject("order item without product_retailer_id/quantity")
    }
    items.push({ productRetailerId, quantity, itemPrice: num(product.item_price), currency: str(product.currency) })
  }
  return content("order", { order: { catalogId: idLike(order.catalog_id), text: str(order.text), items } })
}

/**
 * `user_changed_number` (Meta's docs and spec), `customer_changed_number` (older name, with
 * `new_wa_id`), `user_changed_user_id` (BSUID changed; `user_id` / `new_user_id`), and any other.
 */
function readSystem(system: Obj | undefined): Content | Rejection {
  if (system === undefined) return reject("system message without system object")
  const body = str(system.body)
  return content("system", {
    text: body,
    system: {
      type: str(system.type) ?? "unknown",
      body,
      newWaId: id(system.wa_id) ?? id(system.new_wa_id),
      newUserId: id(system.user_id) ?? id(system.new_user_id)
    }
  })
}
