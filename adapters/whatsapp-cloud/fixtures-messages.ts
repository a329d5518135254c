/**
 * Builders for `value.messages[]` items, shaped after Meta's documented webhook examples
 * (developers.facebook.com … /webhooks/reference/messages, and the examples in
 * whatsapp-business-messaging-v23.0.yaml). Plain data, no test framework: the lead's
 * end-to-end tests and benchmarks use them too.
 */
export type Json = { [key: string]: unknown }

export interface BaseOptions {
  readonly id?: string
  /** The resident's phone number (wa_id). `null`: a username resident Meta sends no number for. */
  readonly from?: string | null
  /** `from_user_id`, the business-scoped user id (BSUID), e.g. "NL.13491208655302741918". */
  readonly userId?: string
  /** Unix seconds; Meta sends a string. */
  readonly timestamp?: string | number
  readonly context?: { readonly id: string; readonly from?: string; readonly forwarded?: boolean; readonly frequently_forwarded?: boolean }
  readonly referral?: Json
}

export const DEFAULT_FROM = "31612345678"
export const DEFAULT_TIMESTAMP = "1749416383"

let sequence = 0
/** A fresh message id in Meta's `wamid.` form. */
export function wamid(): string {
  sequence += 1
  return `wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQz${sequence.toString(36).toUpperCase().padStart(12, "0")}AA==`
}

function base(type: string, options: BaseOptions, body: Json): Json {
  const message: Json = {}
  if (options.context !== undefined) message.context = { from: "31201234567", ...options.context }
  if (options.from !== null) message.from = options.from ?? DEFAULT_FROM
  if (options.userId !== undefined) message.from_user_id = options.userId
  message.id = options.id ?? wamid()
  message.timestamp = options.timestamp ?? DEFAULT_TIMESTAMP
  if (options.referral !== undefined) message.referral = options.referral
  message.type = type
  return { ...message, ...body }
}

export const textMessage = (o: BaseOptions & { readonly body: string }): Json =>
  base("text", o, { text: { body: o.body } })

export interface MediaOptions extends BaseOptions {
  readonly mediaId?: string
  readonly mimeType?: string
  readonly sha256?: string
  readonly caption?: string
}
function media(type: string, o: MediaOptions, extra: Json): Json {
  const part: Json = {
    mime_type: o.mimeType ?? "image/jpeg",
    sha256: o.sha256 ?? "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=",
    id: o.mediaId ?? "1003383421387256",
    ...extra
  }
  if (o.caption !== undefined) part.caption = o.caption
  return base(type, o, { [type]: part })
}
export const imageMessage = (o: MediaOptions = {}): Json => media("image", o, {})
export const videoMessage = (o: MediaOptions = {}): Json => media("video", { mimeType: "video/mp4", ...o }, {})
export const audioMessage = (o: MediaOptions & { readonly voice?: boolean } = {}): Json =>
  media("audio", { mimeType: "audio/ogg; codecs=opus", ...o }, { voice: o.voice ?? true })
export const documentMessage = (o: MediaOptions & { readonly filename?: string } = {}): Json =>
  media("document", { mimeType: "application/pdf", ...o }, { filename: o.filename ?? "aanvraag.pdf" })
export const stickerMessage = (o: MediaOptions & { readonly animated?: boolean } = {}): Json =>
  media("sticker", { mimeType: "image/webp", ...o }, { animated: o.animated ?? false })

export const locationMessage = (
  o: BaseOptions & { readonly latitude: number | string; readonly longitude: number | string; readonly name?: string; readonly address?: string }
): Json => base("location", o, {
  location: { latitude: o.latitude, longitude: o.longitude, ...(o.name ? { name: o.name } : {}), ...(o.address ? { address: o.address } : {}) }
})

export interface ContactCardOptions {
  readonly name: string
  readonly phones?: ReadonlyArray<string>
  readonly emails?: ReadonlyArray<string>
}
export const contactsMessage = (o: BaseOptions & { readonly cards: ReadonlyArray<ContactCardOptions> }): Json =>
  base("contacts", o, {
    contacts: o.cards.map((card) => ({
      name: { formatted_name: card.name, first_name: card.name.split(" ")[0] },
      phones: (card.phones ?? []).map((phone) => ({ phone, type: "MOBILE" })),
      emails: (card.emails ?? []).map((email) => ({ email, type: "HOME" }))
    }))
  })

export const buttonReplyMessage = (o: BaseOptions & { readonly replyId: string; readonly title: string }): Json =>
  base("interactive", o, { interactive: { type: "button_reply", button_reply: { id: o.replyId, title: o.title } } })

export const listReplyMessage = (o: BaseOptions & { readonly replyId: string; readonly title: string; readonly description?: string }): Json =>
  base("interactive", o, {
    interactive: { type: "list_reply", list_reply: { id: o.replyId, title: o.title, description: o.description ?? "" } }
  })

export const flowReplyMessage = (o: BaseOptions & { readonly responseJson: string; readonly name?: string; readonly body?: string }): Json =>
  base("interactive", o, {
    interactive: { type: "nfm_reply", nfm_reply: { name: o.name ?? "flow", body: o.body ?? "Sent", response_json: o.responseJson } }
  })

/** A quick-reply button on a template (`type: "button"`). */
export const quickReplyMessage = (o: BaseOptions & { readonly payload: string; readonly text: string }): Json =>
  base("button", o, { button: { payload: o.payload, text: o.text } })

/** `emoji: ""` (or no emoji) is how Meta reports a removed reaction. */
export const reactionMessage = (o: BaseOptions & { readonly messageId: string; readonly emoji?: string }): Json =>
  base("reaction", o, { reaction: { message_id: o.messageId, ...(o.emoji === undefined ? {} : { emoji: o.emoji }) } })

export interface OrderItemOptions {
  readonly productRetailerId: string
  readonly quantity: number
  readonly itemPrice: number
  readonly currency?: string
}
export const orderMessage = (o: BaseOptions & { readonly catalogId: string; readonly items: ReadonlyArray<OrderItemOptions>; readonly text?: string }): Json =>
  base("order", o, {
    order: {
      catalog_id: o.catalogId,
      text: o.text ?? "",
      product_items: o.items.map((i) => ({
        product_retailer_id: i.productRetailerId, quantity: i.quantity, item_price: i.itemPrice, currency: i.currency ?? "EUR"
      }))
    }
  })

/** `user_changed_number` (Meta's docs) by default; pass `systemType` for `user_changed_user_id` etc. */
export const systemMessage = (
  o: BaseOptions & { readonly systemType?: string; readonly body?: string; readonly newWaId?: string; readonly newUserId?: string }
): Json => base("system", o, {
  system: {
    body: o.body ?? "User Sanne de Vries changed from 31612345678 to 31687654321",
    ...(o.newWaId === undefined ? {} : { wa_id: o.newWaId }),
    ...(o.newUserId === undefined ? {} : { user_id: o.newUserId }),
    type: o.systemType ?? "user_changed_number"
  }
})

export const requestWelcomeMessage = (o: BaseOptions = {}): Json => base("request_welcome", o, {})

export const unsupportedMessage = (o: BaseOptions & { readonly type?: string; readonly errors?: ReadonlyArray<Json> } = {}): Json =>
  base(o.type ?? "unsupported", o, {
    errors: o.errors ?? [{
      code: 131051,
      title: "Message type unknown",
      message: "Message type unknown",
      error_data: { details: "Message type is currently not supported." }
    }]
  })
