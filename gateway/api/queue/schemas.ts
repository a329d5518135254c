/** The queue's query: a page of the conversations waiting for an agent. */
import { Schema } from "effect"
import { Channel } from "../../../domain/Channel.ts"

export const QueueQuery = Schema.Struct({
  channel: Schema.optionalKey(Channel),
  limit: Schema.optionalKey(Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 200 }))
    .annotate({ description: "Page size, 1 to 200 (default 50)." })),
  cursor: Schema.optionalKey(Schema.String.annotate({ description: "The `nextCursor` of the previous page." }))
})
