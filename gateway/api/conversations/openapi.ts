/** Working a conversation and canned responses: their part of the OpenAPI document (document.ts spreads it into `paths`). */
import { Schema } from "effect"
import { Conversation } from "../../../domain/Conversation.ts"
import { Message } from "../../../domain/Message.ts"
import { CannedResponseSchema, CreateCannedBody, ListCannedQuery, UpdateCannedBody } from "../canned-responses/schemas.ts"
import type { OpenApiHelpers } from "../people/openapi.ts"
import { AssignBody, NoteBody } from "./work-schemas.ts"

type Json = Record<string, unknown>

export function workPaths({ jsonSchema, json, error, idParameter }: OpenApiHelpers, queryParameters: (schema: Schema.Top) => Array<Json>): Record<string, Json> {
  const body = (schema: Schema.Top) => ({ required: true, content: { "application/json": { schema: jsonSchema(schema) } } })
  const conversation = json(jsonSchema(Conversation), "The conversation as it is now (unchanged when it already was so)")
  const common = {
    "401": json(error, "No valid bearer token"),
    "404": json(error, "conversation_not_found: unknown, or (access \"team\") not one the caller may see")
  }
  const writes = {
    ...common,
    "400": json(error, "invalid_json: the body is not JSON"),
    "413": json(error, "payload_too_large: bodies are limited to 32 KiB")
  }
  const admin = { "401": common["401"], "403": json(error, "forbidden: only an admin manages canned responses") }
  const cannedWrites = {
    ...admin,
    "400": writes["400"], "413": writes["413"],
    "409": json(error, "shortcut_taken"),
    "422": json(error, "invalid_body: details name each wrong field")
  }
  const cannedList = jsonSchema(Schema.Struct({ items: Schema.Array(CannedResponseSchema) }).annotate({ identifier: "CannedResponseList" }))
  return {
    "/api/v1/conversations/{id}/assign": {
      post: {
        operationId: "assignConversation",
        summary: "Assigns the conversation to a vakteam (a hand-over) and/or an agent; the same again changes nothing (any role, audited; SSE conversation.assigned)",
        parameters: [idParameter], requestBody: body(AssignBody),
        responses: { "200": conversation, "422": json(error, "invalid_assignment (unknown team, unknown or deactivated agent, agent not in the team) or invalid_body"), ...writes }
      }
    },
    "/api/v1/conversations/{id}/close": {
      post: { operationId: "closeConversation", summary: "Closes the conversation (closing a closed one: 200, unchanged; audited)", parameters: [idParameter], responses: { "200": conversation, ...common } }
    },
    "/api/v1/conversations/{id}/reopen": {
      post: { operationId: "reopenConversation", summary: "Reopens a closed conversation (an open one: 200, unchanged; audited)", parameters: [idParameter], responses: { "200": conversation, ...common } }
    },
    "/api/v1/conversations/{id}/notes": {
      post: {
        operationId: "createNote",
        summary: "An internal note (type note, direction internal): only agents read it, it is never sent to the resident (SSE note.created)",
        parameters: [idParameter, { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 200 }, description: "The same key answers the same note" }],
        requestBody: body(NoteBody),
        responses: { "201": json(jsonSchema(Message), "The note"), "422": json(error, "invalid_body: text empty or over 4,096 characters"), ...writes }
      }
    },
    "/api/v1/canned-responses": {
      get: {
        operationId: "listCannedResponses", summary: "Canned responses by shortcut (any role); with conversationId each carries `rendered`, {{name}} filled in",
        parameters: queryParameters(ListCannedQuery),
        responses: { "200": json(cannedList, "{ items }"), "400": json(error, "invalid_query"), ...common }
      },
      post: {
        operationId: "createCannedResponse", summary: "A new canned response (admin, audited)", requestBody: body(CreateCannedBody),
        responses: { "201": json(jsonSchema(CannedResponseSchema), "Created"), ...cannedWrites }
      }
    },
    "/api/v1/canned-responses/{id}": {
      patch: {
        operationId: "updateCannedResponse", summary: "Changes a canned response (admin, audited)", parameters: [idParameter], requestBody: body(UpdateCannedBody),
        responses: { "200": json(jsonSchema(CannedResponseSchema), "Changed"), "404": json(error, "canned_response_not_found"), ...cannedWrites }
      },
      delete: {
        operationId: "deleteCannedResponse", summary: "Deletes a canned response (admin, audited)", parameters: [idParameter],
        responses: { "204": { description: "Deleted" }, "404": json(error, "canned_response_not_found"), ...admin }
      }
    }
  }
}
