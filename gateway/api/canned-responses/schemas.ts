/** Bodies and query of `/api/v1/canned-responses`: validate requests and feed the OpenAPI document. */
import { Schema } from "effect"
import { CannedLanguage } from "../../../actors/canned/CannedResponses.ts"

export const CANNED_TEXT_MAX = 4096
export const CANNED_BODY_LIMIT = 32 * 1024

const Shortcut = Schema.String.check(
  Schema.isPattern(/^\/?[\p{L}\p{N}_-]{1,32}$/u, { message: "expected a shortcut like /afval: letters, digits, - or _, at most 32, an optional leading /" })
).annotate({ description: "How agents call it up, e.g. /afval; unique, compared lower-cased, stored with its leading /" })
const Title = Schema.String.check(
  Schema.isPattern(/\S/, { message: "expected a title (not empty)" }),
  Schema.isMaxLength(200, { message: "at most 200 characters" })
)
const Text = Schema.String.check(
  Schema.isPattern(/\S/, { message: "expected text (not empty)" }),
  Schema.isMaxLength(CANNED_TEXT_MAX, { message: `at most ${CANNED_TEXT_MAX} characters (WhatsApp's limit for a message)` })
).annotate({ description: "The answer; {{name}} stands for the resident's name (\"inwoner\" / \"resident\" when it is not known)" })
const Language = CannedLanguage.annotate({ description: "nl or en" })

export const CreateCannedBody = Schema.Struct({ shortcut: Shortcut, title: Title, text: Text, language: Language })
  .annotate({ identifier: "CreateCannedResponse" })

export const UpdateCannedBody = Schema.Struct({
  shortcut: Schema.optionalKey(Shortcut), title: Schema.optionalKey(Title), text: Schema.optionalKey(Text), language: Schema.optionalKey(Language)
}).annotate({ identifier: "UpdateCannedResponse" })

export const CannedResponseSchema = Schema.Struct({
  id: Schema.String, shortcut: Schema.String, title: Schema.String, text: Schema.String, language: Language,
  rendered: Schema.optionalKey(Schema.String.annotate({ description: "Only with ?conversationId=: the text with {{name}} filled in for that conversation's resident" }))
}).annotate({ identifier: "CannedResponse" })

export const ListCannedQuery = Schema.Struct({
  conversationId: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1)).annotate({ description: "Adds `rendered` to each item: {{name}} filled in with this conversation's resident" })),
  language: Schema.optionalKey(Language.annotate({ description: "Only the responses in this language" }))
})
