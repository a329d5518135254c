/** Domain events fanned out to every instance's SSE stream (ClusterEvents). */
import { Schema } from "effect"
import { Conversation } from "../../../domain/Conversation.ts"
import { Message } from "../../../domain/Message.ts"
import type { DomainEvent } from "../../Events.ts"
import { type Wire, wireDecoder } from "./decodeWire.ts"

const ChannelAlert = Schema.Struct({
  channel: Schema.String,
  channelAccountId: Schema.String,
  code: Schema.Union([Schema.Finite, Schema.String]),
  title: Schema.String,
  message: Schema.String,
  at: Schema.String
})

export const DomainEventsWire = Schema.Array(Schema.Union([
  Schema.Struct({ type: Schema.Literals(["message.created", "message.updated", "note.created"]), data: Message }),
  Schema.Struct({ type: Schema.Literals(["conversation.updated", "conversation.assigned", "conversation.window_closing"]), data: Conversation }),
  Schema.Struct({ type: Schema.Literal("channel.alert"), data: ChannelAlert })
]))

/** Compile-time: what Loket publishes is what the schema takes. */
export const encodesDomainEvents = (events: ReadonlyArray<DomainEvent>): typeof DomainEventsWire.Encoded => events

const decode = wireDecoder(DomainEventsWire)
export const decodeDomainEvents = (text: string): Wire<ReadonlyArray<DomainEvent>> => decode(text)
