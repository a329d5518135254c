/** Bodies and answers of `/api/v1/contacts` (linked contacts), as Schemas: decoded at the edge, and in the OpenAPI document. */
import { Schema } from "effect"
import { Channel } from "../../../domain/Channel.ts"

/** Link bodies are tiny: 4 KiB is far more than `{"contactId": "…"}` needs. */
export const LINK_BODY_LIMIT = 4 * 1024

export const LinkBody = Schema.Struct({
  contactId: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)).annotate({
    description: "The other contact of the same resident, on another channel (a conversation's contact.id)."
  })
}).annotate({ identifier: "LinkContactRequest" })

const LinkedProfileEntry = Schema.Struct({
  contactId: Schema.String,
  channel: Channel,
  conversations: Schema.Array(Schema.String).annotate({ description: "Its conversations' ids the caller may see" })
}).annotate({ identifier: "LinkedContactWithConversations" })

export const ContactProfileSchema = Schema.Struct({
  id: Schema.String,
  channel: Channel,
  handle: Schema.String,
  name: Schema.NullOr(Schema.String),
  userId: Schema.NullOr(Schema.String),
  conversations: Schema.Array(Schema.String).annotate({ description: "This contact's conversations' ids the caller may see" }),
  linked: Schema.Array(LinkedProfileEntry).annotate({ description: "The resident's contacts on other channels (empty: linked to none)" })
}).annotate({ identifier: "ContactProfile" })
