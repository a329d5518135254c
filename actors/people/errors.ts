/** The People and ApiTokens services' errors; gateway/api/people/errors.ts maps them to HTTP answers. */
import { Schema } from "effect"

const Detail = Schema.Struct({ path: Schema.String, message: Schema.String })

/** Input that is well-formed but does not fit what is stored (an unknown team id, a role above the agent's, …): 422. */
export class PeopleInvalid extends Schema.TaggedError<PeopleInvalid>()("PeopleInvalid", {
  message: Schema.String,
  details: Schema.Array(Detail)
}) {}

/** No such agent, team or token: 404. */
export class PeopleNotFound extends Schema.TaggedError<PeopleNotFound>()("PeopleNotFound", {
  what: Schema.Literals(["agent", "team", "token"]),
  id: Schema.String
}) {}

/** A duplicate e-mail address or team name: 409. */
export class PeopleConflict extends Schema.TaggedError<PeopleConflict>()("PeopleConflict", {
  code: Schema.Literals(["email_taken", "team_name_taken"]),
  message: Schema.String
}) {}
