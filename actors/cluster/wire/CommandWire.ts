/**
 * Commands to a partition's owner over NATS request/reply (ClusterConversations) and their
 * answers: an agent's send, the dispatcher's results, the window check.
 */
import { Schema } from "effect"
import { Conversation } from "../../../domain/Conversation.ts"
import { Message, MessageError } from "../../../domain/Message.ts"
import type { ConversationMessage, SendCommand } from "../../conversation/protocol.ts"
import { WorkBy, WorkCommand, type WorkDone } from "../../conversation/work.ts"
import { type Wire, wireDecoder } from "./decodeWire.ts"

const MediaRef = Schema.Struct({
  id: Schema.optional(Schema.String),
  link: Schema.optional(Schema.String),
  caption: Schema.optional(Schema.String),
  filename: Schema.optional(Schema.String)
})
const ListRow = Schema.Struct({ id: Schema.String, title: Schema.String, description: Schema.optional(Schema.String) })

/** Mirrors domain/Outbound.ts' OutboundContent (its limits are the API route's to check). */
const OutboundContent = Schema.Union([
  Schema.Struct({ type: Schema.Literal("text"), text: Schema.String, previewUrl: Schema.Boolean }),
  Schema.Struct({
    type: Schema.Literal("template"),
    template: Schema.Struct({ name: Schema.String, language: Schema.String, components: Schema.optional(Schema.Array(Schema.Unknown)) })
  }),
  Schema.Struct({ type: Schema.Literals(["image", "document", "audio", "video", "sticker"]), media: MediaRef }),
  Schema.Struct({
    type: Schema.Literal("interactive"),
    interactive: Schema.Union([
      Schema.Struct({
        type: Schema.Literal("button"), body: Schema.String, header: Schema.optional(Schema.String), footer: Schema.optional(Schema.String),
        buttons: Schema.Array(Schema.Struct({ id: Schema.String, title: Schema.String }))
      }),
      Schema.Struct({
        type: Schema.Literal("list"), body: Schema.String, header: Schema.optional(Schema.String), footer: Schema.optional(Schema.String),
        button: Schema.String, sections: Schema.Array(Schema.Struct({ title: Schema.optional(Schema.String), rows: Schema.Array(ListRow) }))
      })
    ])
  }),
  Schema.Struct({ type: Schema.Literal("reaction"), reaction: Schema.Struct({ messageId: Schema.String, emoji: Schema.String }) })
])

const SendCommandWire = Schema.Struct({
  content: OutboundContent,
  replyTo: Schema.NullOr(Schema.String),
  idempotencyKey: Schema.NullOr(Schema.String),
  author: Schema.String,
  flags: Schema.optionalKey(Schema.Array(Schema.String))
})

/** What may be told to an actor of another instance (no reply channel, no stream message; the fence is the owner's own). */
const Told = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("sent"), messageId: Schema.String, providerMessageId: Schema.String }),
  Schema.Struct({ kind: Schema.Literal("send-failed"), messageId: Schema.String, error: MessageError }),
  Schema.Struct({ kind: Schema.Literal("window-check") }),
  Schema.Struct({ kind: Schema.Literal("prune-if-empty"), before: Schema.String })
])
/** `hold` is in-process only: it carries Deferreds (contact merges hold local actors). */
export type Told = Exclude<ConversationMessage, { kind: "event" } | { kind: "send" } | { kind: "hold" } | { kind: "work" }>

/** An agent's change to a conversation (assign, close, reopen, note), as it travels to the partition's owner. */
const WorkRequest = Schema.Struct({ op: Schema.Literal("work"), conversationId: Schema.String, command: WorkCommand, by: WorkBy })
type WorkRequest = typeof WorkRequest.Type

export const CommandWire = Schema.Union([
  Schema.Struct({ op: Schema.Literal("send"), conversationId: Schema.String, command: SendCommandWire }),
  Schema.Struct({ op: Schema.Literal("tell"), key: Schema.String, message: Told }),
  WorkRequest
])
export type Command =
  | { readonly op: "send"; readonly conversationId: string; readonly command: SendCommand }
  | { readonly op: "tell"; readonly key: string; readonly message: Told }
  | WorkRequest

const WorkDoneWire = Schema.Struct({ conversation: Conversation, note: Schema.optionalKey(Message) })

const Detail = Schema.Struct({ path: Schema.String, message: Schema.String })
export const AnswerWire = Schema.Union([
  Schema.Struct({ ok: Schema.Union([Message, WorkDoneWire, Schema.Literal(true)]) }),
  Schema.Struct({
    refused: Schema.Struct({
      code: Schema.String,
      status: Schema.Literals([404, 409, 422, 503]),
      message: Schema.String,
      details: Schema.optionalKey(Schema.Array(Detail))
    })
  }),
  Schema.Struct({ notOwner: Schema.Literal(true) })
])
export type Answer =
  | { readonly ok: Message | WorkDone | true }
  | { readonly refused: { code: string; status: 404 | 409 | 422 | 503; message: string; details?: ReadonlyArray<{ path: string; message: string }> } }
  | { readonly notOwner: true }

/** Compile-time: what Loket sends is what the schemas take. */
export const encodesCommand = (command: Command): typeof CommandWire.Encoded => command
export const encodesAnswer = (answer: Answer): typeof AnswerWire.Encoded => answer

const command = wireDecoder(CommandWire)
const answer = wireDecoder(AnswerWire)
export const decodeCommand = (text: string): Wire<Command> => command(text)
export const decodeAnswer = (text: string): Wire<Answer> => answer(text)
