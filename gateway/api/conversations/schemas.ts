/** Request schemas of the conversation routes: they validate requests and feed the OpenAPI document. */
import { Schema } from "effect"
import { Channel } from "../../../domain/Channel.ts"

const Limit = Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 200 }))
  .annotate({ description: "Page size, 1 to 200 (default 50)." })
const Cursor = Schema.String.annotate({ description: "The `nextCursor` of the previous page." })

export const ListConversationsQuery = Schema.Struct({
  status: Schema.optionalKey(Schema.Literals(["open", "closed", "all"]).annotate({ description: "Default: open." })),
  channel: Schema.optionalKey(Channel),
  team: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1)).annotate({ description: "A team id, or `none`: conversations without a team." })),
  assignee: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1)).annotate({ description: "`me` (the calling agent), an agent id, or `none`: unassigned." })),
  q: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)).annotate({
    description: "Text (1 to 200 characters) the contact's name or handle, or a message of the conversation, contains; case-insensitive."
  })),
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Cursor)
})

export const ListMessagesQuery = Schema.Struct({
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Cursor)
})

export const DEFAULT_LIMIT = 50
