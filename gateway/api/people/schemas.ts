/** Bodies of the people routes (tokens, agents, teams), also the OpenAPI document's schemas. */
import { Schema } from "effect"
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../../actors/people/password.ts"

const Name = Schema.String.check(
  Schema.isPattern(/\S/, { message: "expected a name (not empty)" }),
  Schema.isMaxLength(200, { message: "at most 200 characters" })
)
const Id = Schema.String.check(Schema.isMinLength(1, { message: "expected an id" }), Schema.isMaxLength(100, { message: "at most 100 characters" }))
const Role = Schema.Literals(["admin", "agent"]).annotate({ description: "admin: everything; agent: conversations, templates, media, events, /me" })
const Email = Schema.String.check(
  Schema.isMaxLength(254, { message: "at most 254 characters" }),
  Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: "expected an e-mail address like naam@gemeente.nl" })
).annotate({ description: "Unique, compared case-insensitively (stored lower-cased)" })
const Password = Schema.String.check(
  Schema.isMinLength(PASSWORD_MIN_LENGTH, { message: `at least ${PASSWORD_MIN_LENGTH} characters` }),
  Schema.isMaxLength(PASSWORD_MAX_LENGTH, { message: `at most ${PASSWORD_MAX_LENGTH} characters` })
).annotate({ description: `Console password, ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters; stored as a scrypt hash, never returned` })
const Ids = (what: string) => Schema.Array(Id).check(Schema.isMaxLength(200, { message: "at most 200 ids" })).annotate({ description: `${what} ids` })

export const CreateTokenBody = Schema.Struct({
  name: Name,
  role: Role,
  agentId: Schema.optionalKey(Id.annotate({ description: "The token acts as this agent (never with more rights than the agent has)" }))
}).annotate({ identifier: "CreateToken" })

export const CreateAgentBody = Schema.Struct({
  email: Email,
  name: Name,
  role: Role,
  teams: Schema.optionalKey(Ids("Team")),
  password: Schema.optionalKey(Password)
}).annotate({ identifier: "CreateAgent" })

export const UpdateAgentBody = Schema.Struct({
  email: Schema.optionalKey(Email),
  name: Schema.optionalKey(Name),
  role: Schema.optionalKey(Role),
  teams: Schema.optionalKey(Ids("Team")),
  password: Schema.optionalKey(Schema.NullOr(Password).annotate({ description: "null removes the password" }))
}).annotate({ identifier: "UpdateAgent" })

export const CreateTeamBody = Schema.Struct({ name: Name }).annotate({ identifier: "CreateTeam" })

export const UpdateTeamBody = Schema.Struct({
  name: Schema.optionalKey(Name),
  members: Schema.optionalKey(Ids("Agent"))
}).annotate({ identifier: "UpdateTeam" })

// ---- answers (for the OpenAPI document) ----

const RoleOut = Schema.Literals(["admin", "agent"])

export const TokenOut = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  role: RoleOut,
  agentId: Schema.NullOr(Schema.String),
  origin: Schema.Literals(["env", "generated", "api"]).annotate({ description: "env: LOKET_ADMIN_TOKEN; generated: printed at a first start; api: POST /api/v1/tokens" }),
  createdAt: Schema.String,
  revokedAt: Schema.NullOr(Schema.String)
}).annotate({ identifier: "Token" })

export const CreatedTokenOut = Schema.Struct({
  ...TokenOut.fields,
  token: Schema.String.annotate({ description: "The secret: shown this once, stored only as a hash" })
}).annotate({ identifier: "CreatedToken" })

export const AgentOut = Schema.Struct({
  id: Schema.String,
  email: Schema.String,
  name: Schema.String,
  role: RoleOut,
  teams: Schema.Array(Schema.String),
  active: Schema.Boolean,
  hasPassword: Schema.Boolean,
  createdAt: Schema.String,
  deactivatedAt: Schema.NullOr(Schema.String)
}).annotate({ identifier: "Agent" })

export const TeamOut = Schema.Struct({ id: Schema.String, name: Schema.String, members: Schema.Array(Schema.String) }).annotate({ identifier: "Team" })

export const MeOut = Schema.Struct({
  kind: Schema.Literals(["token", "agent"]).annotate({ description: "agent: a token that belongs to an agent, acting as that agent" }),
  id: Schema.String,
  name: Schema.String,
  role: RoleOut,
  teams: Schema.Array(Schema.String)
}).annotate({ identifier: "Me" })
