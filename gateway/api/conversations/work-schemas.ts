/** Bodies of the routes that work a conversation (assign, notes): validate requests and feed the OpenAPI document. */
import { Schema } from "effect"
import { NOTE_MAX_LENGTH } from "../../../actors/conversation/work.ts"

const Id = Schema.String.check(Schema.isMinLength(1, { message: "expected an id" }), Schema.isMaxLength(100, { message: "at most 100 characters" }))

export const AssignBody = Schema.Struct({
  team: Schema.optionalKey(Schema.NullOr(Id).annotate({ description: "A team id (a hand-over to that vakteam), or null for no team; left out: the team stays" })),
  assignee: Schema.optionalKey(Schema.NullOr(Id).annotate({
    description: "An active agent's id, or null for nobody; left out: the assignee stays, unless the conversation moves to a team they are not in (then cleared). When the conversation has a team, the agent must be one of its members (422 otherwise)"
  }))
}).annotate({ identifier: "AssignConversation" })

export const NoteBody = Schema.Struct({
  text: Schema.String.check(
    Schema.isPattern(/\S/, { message: "expected text (not empty)" }),
    Schema.isMaxLength(NOTE_MAX_LENGTH, { message: `at most ${NOTE_MAX_LENGTH} characters; shorten the note or split it in two` })
  ).annotate({ description: `The note, 1 to ${NOTE_MAX_LENGTH} characters; only agents read it` })
}).annotate({ identifier: "CreateNote" })

/** Bodies of assign and notes (a note of 4,096 characters escaped as JSON stays well below). */
export const WORK_BODY_LIMIT = 32 * 1024
