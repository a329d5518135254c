/** Why Loket refuses an agent's send: each maps to a 4xx (503 when the database cannot take it now) with the contract's JSON error. */
import { Schema } from "effect"

export class SendRefused extends Schema.TaggedError<SendRefused>()("SendRefused", {
  /** `window_closed`, `template_not_found`, `template_not_approved`, `template_parameters`, `conversation_not_found`, `invalid_message` */
  code: Schema.String,
  message: Schema.String,
  status: Schema.Literals([404, 409, 422, 503]),
  details: Schema.optionalKey(Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String })))
}) {}

/**
 * Why Loket refuses to change a conversation (assign, close, reopen, a note): `conversation_not_found` (404),
 * `invalid_assignment` / `invalid_note` (422, naming the field), `conversation_unavailable` (503).
 */
export class WorkRefused extends Schema.TaggedError<WorkRefused>()("WorkRefused", {
  code: Schema.String,
  message: Schema.String,
  status: Schema.Literals([404, 409, 422, 503]),
  details: Schema.optionalKey(Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String })))
}) {}
