import { Schema } from "effect"
import { Channel } from "./Channel.ts"

export const Contact = Schema.Struct({
  id: Schema.String,
  /** How the channel addresses the resident: WhatsApp's wa_id, or the BSUID when there is no number. */
  handle: Schema.String,
  name: Schema.NullOr(Schema.String),
  /** WhatsApp's business-scoped user id, when Meta sends one. */
  userId: Schema.NullOr(Schema.String)
}).annotate({ identifier: "Contact" })
export type Contact = typeof Contact.Type

export const ConversationStatus = Schema.Literals(["open", "closed"])
export type ConversationStatus = typeof ConversationStatus.Type

export const Conversation = Schema.Struct({
  id: Schema.String,
  channel: Channel,
  channelAccountId: Schema.String,
  contact: Contact,
  status: ConversationStatus,
  team: Schema.NullOr(Schema.String),
  assignee: Schema.NullOr(Schema.String),
  createdAt: Schema.String,
  lastMessageAt: Schema.String,
  windowExpiresAt: Schema.NullOr(Schema.String),
  /** The window closes within the hour and no agent has answered the resident's last message. */
  windowClosingSoon: Schema.Boolean,
  /** The resident's messages since an agent last replied, wrote a note, assigned or closed it. */
  unreadCount: Schema.Number
}).annotate({ identifier: "Conversation" })
export type Conversation = typeof Conversation.Type
