/** The people routes' part of the OpenAPI document (gateway/api/openapi/document.ts spreads it into `paths`). */
import { Schema } from "effect"
import { AgentOut, CreateAgentBody, CreatedTokenOut, CreateTeamBody, CreateTokenBody, MeOut, TeamOut, TokenOut, UpdateAgentBody, UpdateTeamBody } from "./schemas.ts"

type Json = Record<string, unknown>

export interface OpenApiHelpers {
  readonly jsonSchema: (schema: Schema.Top) => Json
  readonly json: (schema: Json, description: string) => Json
  readonly error: Json
  readonly idParameter: Json
}

export function peoplePaths({ jsonSchema, json, error, idParameter }: OpenApiHelpers): Record<string, Json> {
  const body = (schema: Schema.Top) => ({ required: true, content: { "application/json": { schema: jsonSchema(schema) } } })
  const list = (schema: Schema.Top, name: string) => jsonSchema(Schema.Struct({ items: Schema.Array(schema) }).annotate({ identifier: name }))
  const admin = {
    "401": json(error, "No valid bearer token"),
    "403": json(error, "forbidden: an agent-role caller cannot manage tokens, agents or teams")
  }
  const writes = {
    ...admin,
    "400": json(error, "invalid_json: the body is not JSON"),
    "413": json(error, "payload_too_large: bodies are limited to 16 KiB"),
    "422": json(error, "invalid_body: details name each wrong field (bad e-mail, unknown role or team id, short password, …)")
  }
  const notFound = (what: string) => ({ "404": json(error, `${what}_not_found`) })
  return {
    "/api/v1/me": {
      get: { operationId: "me", summary: "Who the caller is (any role)", responses: { "200": json(jsonSchema(MeOut), "The caller"), "401": admin["401"] } }
    },
    "/api/v1/tokens": {
      post: {
        operationId: "createToken", summary: "Create an API token (admin); its secret is answered this once", requestBody: body(CreateTokenBody),
        responses: { "201": json(jsonSchema(CreatedTokenOut), "The token with its secret"), ...writes }
      },
      get: { operationId: "listTokens", summary: "Every token, revoked ones too, never a secret (admin)", responses: { "200": json(list(TokenOut, "TokenList"), "The tokens"), ...admin } }
    },
    "/api/v1/tokens/{id}": {
      delete: {
        operationId: "revokeToken", summary: "Revoke: refused from the next request on, on every instance (admin)", parameters: [idParameter],
        responses: { "204": { description: "Revoked" }, ...notFound("token"), ...admin }
      }
    },
    "/api/v1/agents": {
      post: {
        operationId: "createAgent", summary: "Add an agent (admin)", requestBody: body(CreateAgentBody),
        responses: { "201": json(jsonSchema(AgentOut), "The agent"), "409": json(error, "email_taken (compared case-insensitively)"), ...writes }
      },
      get: { operationId: "listAgents", summary: "Every agent, deactivated ones too (admin)", responses: { "200": json(list(AgentOut, "AgentList"), "The agents"), ...admin } }
    },
    "/api/v1/agents/{id}": {
      get: { operationId: "getAgent", parameters: [idParameter], responses: { "200": json(jsonSchema(AgentOut), "The agent"), ...notFound("agent"), ...admin } },
      patch: {
        operationId: "updateAgent", summary: "Change e-mail, name, role, teams or password (admin)", parameters: [idParameter], requestBody: body(UpdateAgentBody),
        responses: { "200": json(jsonSchema(AgentOut), "The agent"), "409": json(error, "email_taken"), ...notFound("agent"), ...writes }
      },
      delete: {
        operationId: "deactivateAgent", summary: "Deactivate: the agent's tokens end at once (admin)", parameters: [idParameter],
        responses: { "200": json(jsonSchema(AgentOut), "The deactivated agent"), ...notFound("agent"), ...admin }
      }
    },
    "/api/v1/teams": {
      post: {
        operationId: "createTeam", summary: "Add a vakteam (admin)", requestBody: body(CreateTeamBody),
        responses: { "201": json(jsonSchema(TeamOut), "The team"), "409": json(error, "team_name_taken"), ...writes }
      },
      get: { operationId: "listTeams", summary: "The vakteams with their members (admin)", responses: { "200": json(list(TeamOut, "TeamList"), "The teams"), ...admin } }
    },
    "/api/v1/teams/{id}": {
      patch: {
        operationId: "updateTeam", summary: "Rename, or set the members (agent ids) (admin)", parameters: [idParameter], requestBody: body(UpdateTeamBody),
        responses: { "200": json(jsonSchema(TeamOut), "The team"), "409": json(error, "team_name_taken"), ...notFound("team"), ...writes }
      },
      delete: {
        operationId: "deleteTeam", summary: "Delete a team; its members stay (admin)", parameters: [idParameter],
        responses: { "204": { description: "Deleted" }, ...notFound("team"), ...admin }
      }
    }
  }
}
