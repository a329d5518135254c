/** The accepted events on the JetStream event stream (what NatsTransport publishes and consumes). */
import { Schema, Struct } from "effect"
import { Channel } from "../../../domain/Channel.ts"
import type { InboundEvent } from "../../../domain/InboundEvent.ts"
import { Message, MessageError } from "../../../domain/Message.ts"
import { type Wire, wireDecoder } from "./decodeWire.ts"

const Resident = Schema.Struct({ waId: Schema.NullOr(Schema.String), userId: Schema.NullOr(Schema.String), name: Schema.NullOr(Schema.String) })

const InboundMessageBody = Message.mapFields(Struct.omit(["id", "conversationId", "direction", "status", "flags", "template", "interactive", "author", "sender"]))

const InboundMessageEvent = Schema.Struct({
  kind: Schema.Literal("message"),
  key: Schema.String,
  channel: Channel,
  channelAccountId: Schema.String,
  resident: Resident,
  message: InboundMessageBody
})

const StatusEvent = Schema.Struct({
  kind: Schema.Literal("status"),
  key: Schema.String,
  channel: Channel,
  channelAccountId: Schema.String,
  resident: Resident,
  providerMessageId: Schema.String,
  status: Schema.Literals(["sent", "delivered", "read", "played", "failed"]),
  timestamp: Schema.String,
  error: Schema.NullOr(MessageError),
  trackingId: Schema.NullOr(Schema.String)
})

const TemplateStatusEvent = Schema.Struct({
  kind: Schema.Literal("template_status"),
  key: Schema.String,
  channel: Channel,
  accountId: Schema.String,
  templateId: Schema.NullOr(Schema.String),
  name: Schema.String,
  language: Schema.NullOr(Schema.String),
  status: Schema.String,
  reason: Schema.NullOr(Schema.String)
})

export const InboundEventWire = Schema.Union([InboundMessageEvent, StatusEvent, TemplateStatusEvent])

/** Compile-time: every event Loket publishes is one the schema takes. */
export const encodesInboundEvent = (event: InboundEvent): typeof InboundEventWire.Encoded => event

const decode = wireDecoder(InboundEventWire)
/** An event read from the stream, as JSON text. */
export const decodeInboundEvent = (text: string): Wire<InboundEvent> => decode(text)
