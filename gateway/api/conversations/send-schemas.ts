/**
 * The body of POST /api/v1/conversations/:id/messages, one schema per kind (the key present
 * says which), so an error names the field. Meta's limits are checked after, by the adapter.
 */
import { Schema } from "effect"

const NonEmpty = Schema.String.check(Schema.isMinLength(1))
const ReplyTo = Schema.optionalKey(NonEmpty.annotate({ description: "Provider id (wamid) or Loket id of the message to quote" }))

export const TextBody = Schema.Struct({
  text: NonEmpty.annotate({ description: "Up to 4,096 characters" }),
  previewUrl: Schema.optionalKey(Schema.Boolean),
  replyTo: ReplyTo
}).annotate({ identifier: "SendText" })

export const TemplateBody = Schema.Struct({
  template: Schema.Struct({
    name: NonEmpty,
    language: NonEmpty.annotate({ description: "e.g. nl, en_US" }),
    components: Schema.optionalKey(Schema.Array(Schema.Unknown).annotate({ description: "Meta's template components with parameters" }))
  }),
  replyTo: ReplyTo
}).annotate({ identifier: "SendTemplate" })

export const MediaBody = Schema.Struct({
  media: Schema.Struct({
    type: Schema.Literals(["image", "document", "audio", "video", "sticker"]),
    id: Schema.optionalKey(NonEmpty.annotate({ description: "From POST /api/v1/media" })),
    link: Schema.optionalKey(NonEmpty.annotate({ description: "An https URL Meta fetches" })),
    caption: Schema.optionalKey(Schema.String),
    filename: Schema.optionalKey(Schema.String)
  }),
  replyTo: ReplyTo
}).annotate({ identifier: "SendMedia" })

const Button = Schema.Struct({ id: NonEmpty, title: NonEmpty })
const Row = Schema.Struct({ id: NonEmpty, title: NonEmpty, description: Schema.optionalKey(Schema.String) })

export const InteractiveBody = Schema.Struct({
  interactive: Schema.Union([
    Schema.Struct({
      type: Schema.Literal("button"), body: NonEmpty, header: Schema.optionalKey(Schema.String), footer: Schema.optionalKey(Schema.String),
      buttons: Schema.Array(Button)
    }),
    Schema.Struct({
      type: Schema.Literal("list"), body: NonEmpty, header: Schema.optionalKey(Schema.String), footer: Schema.optionalKey(Schema.String),
      button: NonEmpty, sections: Schema.Array(Schema.Struct({ title: Schema.optionalKey(Schema.String), rows: Schema.Array(Row) }))
    })
  ]),
  replyTo: ReplyTo
}).annotate({ identifier: "SendInteractive" })

export const ReactionBody = Schema.Struct({
  reaction: Schema.Struct({
    messageId: NonEmpty.annotate({ description: "Provider id (wamid) or Loket id of the resident's message" }),
    emoji: Schema.String.annotate({ description: "One emoji; \"\" removes the reaction" })
  })
}).annotate({ identifier: "SendReaction" })

export const SendBodies = { text: TextBody, template: TemplateBody, media: MediaBody, interactive: InteractiveBody, reaction: ReactionBody } as const
export type SendKind = keyof typeof SendBodies
