/** Request schemas of the conversation routes: they validate requests and feed the OpenAPI document. */
import { Schema } from "effect"
import { Channel } from "../../../domain/Channel.ts"

const Limit = Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 200 }))
  .annotate({ description: "Page size, 1 to 200 (default 50)." })
const Cursor = Schema.String.annotate({ description: "The `nextCursor` of the previous page." })

export const ListConversationsQuery = Schema.Struct({
  status: Schema.optionalKey(Schema.Literals(["open", "closed", "all"]).annotate({ description: "Default: open." })),
  channel: Schema.optionalKey(Channel),
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Cursor)
})

export const ListMessagesQuery = Schema.Struct({
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Cursor)
})

export const DEFAULT_LIMIT = 50
