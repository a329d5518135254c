/**
 * The contract's `Message`: what agents read, on every channel (WhatsApp's type names).
 * Fields beyond ../shared/CONTRACT.md are additions, never renames.
 */
import { Schema } from "effect"

export const MessageType = Schema.Literals([
  "text", "image", "audio", "video", "document", "sticker", "location", "contacts",
  "interactive", "button", "reaction", "order", "system", "unsupported", "template",
  /** An agent's internal note: stored with the conversation, never sent to the resident. */
  "note"
])
export type MessageType = typeof MessageType.Type

/** `internal`: a note agents write for each other; it never leaves Loket. */
export const MessageDirection = Schema.Literals(["inbound", "outbound", "internal"])
export type MessageDirection = typeof MessageDirection.Type

export const MessageStatus = Schema.Literals(["received", "queued", "sent", "delivered", "read", "failed"])
export type MessageStatus = typeof MessageStatus.Type

export const Media = Schema.Struct({
  id: Schema.String,
  mimeType: Schema.String,
  sha256: Schema.NullOr(Schema.String),
  filename: Schema.NullOr(Schema.String),
  /** Stickers only: whether it moves. */
  animated: Schema.optionalKey(Schema.Boolean),
  /** Outbound media sent by link (mimeType is "" when Loket does not know it). */
  link: Schema.optionalKey(Schema.String)
})
export type Media = typeof Media.Type

export const Location = Schema.Struct({
  latitude: Schema.Finite,
  longitude: Schema.Finite,
  name: Schema.NullOr(Schema.String),
  address: Schema.NullOr(Schema.String)
})
export type Location = typeof Location.Type

export const Reaction = Schema.Struct({
  /** null: the resident removed the reaction. */
  emoji: Schema.NullOr(Schema.String),
  messageId: Schema.String
})
export type Reaction = typeof Reaction.Type

export const Reply = Schema.Struct({ id: Schema.String, title: Schema.String })
export type Reply = typeof Reply.Type

export const MessageError = Schema.Struct({ code: Schema.Union([Schema.Finite, Schema.String]), title: Schema.String })
export type MessageError = typeof MessageError.Type

/** A shared contact card (type `contacts`), reduced to what an agent needs. */
export const ContactCard = Schema.Struct({
  name: Schema.NullOr(Schema.String),
  phones: Schema.Array(Schema.String),
  emails: Schema.Array(Schema.String)
})
export type ContactCard = typeof ContactCard.Type

/** Click-to-WhatsApp ad or post that brought the resident in (first message only). */
export const Referral = Schema.Struct({
  sourceUrl: Schema.NullOr(Schema.String),
  sourceType: Schema.NullOr(Schema.String),
  sourceId: Schema.NullOr(Schema.String),
  headline: Schema.NullOr(Schema.String),
  body: Schema.NullOr(Schema.String),
  ctwaClid: Schema.NullOr(Schema.String)
})
export type Referral = typeof Referral.Type

/** A WhatsApp Flows answer (`interactive.nfm_reply`). */
export const FlowReply = Schema.Struct({
  name: Schema.NullOr(Schema.String),
  body: Schema.NullOr(Schema.String),
  responseJson: Schema.NullOr(Schema.String)
})
export type FlowReply = typeof FlowReply.Type

export const Order = Schema.Struct({
  catalogId: Schema.NullOr(Schema.String),
  text: Schema.NullOr(Schema.String),
  items: Schema.Array(Schema.Struct({
    productRetailerId: Schema.String,
    quantity: Schema.Finite,
    itemPrice: Schema.NullOr(Schema.Finite),
    currency: Schema.NullOr(Schema.String)
  }))
})
export type Order = typeof Order.Type

/** `system` messages (number or user-id changes) and `request_welcome`. */
export const SystemNotice = Schema.Struct({
  type: Schema.String,
  body: Schema.NullOr(Schema.String),
  newWaId: Schema.NullOr(Schema.String),
  newUserId: Schema.NullOr(Schema.String)
})
export type SystemNotice = typeof SystemNotice.Type

/** An outbound template message: what was asked of Meta. */
export const TemplateRef = Schema.Struct({
  name: Schema.String,
  language: Schema.String,
  components: Schema.Array(Schema.Unknown)
})
export type TemplateRef = typeof TemplateRef.Type

/** An outbound interactive message (reply buttons or a list). */
export const InteractiveRef = Schema.Struct({
  type: Schema.Literals(["button", "list"]),
  body: Schema.String,
  header: Schema.NullOr(Schema.String),
  footer: Schema.NullOr(Schema.String),
  buttons: Schema.NullOr(Schema.Array(Reply)),
  button: Schema.NullOr(Schema.String),
  sections: Schema.NullOr(Schema.Array(Schema.Struct({
    title: Schema.NullOr(Schema.String),
    rows: Schema.Array(Schema.Struct({ id: Schema.String, title: Schema.String, description: Schema.NullOr(Schema.String) }))
  })))
})
export type InteractiveRef = typeof InteractiveRef.Type

/** Who wrote a message: the resident, an agent, an API token of its own, or Loket itself (auto-replies). */
export const MessageSender = Schema.Struct({
  kind: Schema.Literals(["resident", "agent", "token", "loket"]),
  /** The contact id, agent id, token id, or "loket". */
  id: Schema.String,
  name: Schema.NullOr(Schema.String)
}).annotate({ identifier: "MessageSender" })
export type MessageSender = typeof MessageSender.Type

export const Message = Schema.Struct({
  id: Schema.String,
  conversationId: Schema.String,
  direction: MessageDirection,
  type: MessageType,
  providerMessageId: Schema.NullOr(Schema.String),
  createdAt: Schema.String,
  text: Schema.NullOr(Schema.String),
  media: Schema.NullOr(Media),
  location: Schema.NullOr(Location),
  reaction: Schema.NullOr(Reaction),
  reply: Schema.NullOr(Reply),
  replyTo: Schema.NullOr(Schema.String),
  status: MessageStatus,
  error: Schema.NullOr(MessageError),
  flags: Schema.Array(Schema.String),
  // additions to the contract
  forwarded: Schema.NullOr(Schema.Literals(["forwarded", "frequently_forwarded"])),
  contacts: Schema.NullOr(Schema.Array(ContactCard)),
  referral: Schema.NullOr(Referral),
  flow: Schema.NullOr(FlowReply),
  order: Schema.NullOr(Order),
  system: Schema.NullOr(SystemNotice),
  template: Schema.NullOr(TemplateRef),
  interactive: Schema.NullOr(InteractiveRef),
  /** Outbound: who sent it (the API token's name), or null for the resident's messages. */
  author: Schema.NullOr(Schema.String),
  /** Who wrote it; null for messages stored before senders were recorded. */
  sender: Schema.NullOr(MessageSender)
}).annotate({ identifier: "Message" })
export type Message = typeof Message.Type
