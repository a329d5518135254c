/** Linked contacts: their part of the OpenAPI document (document.ts spreads it into `paths`). */
import type { Schema } from "effect"
import type { OpenApiHelpers } from "../people/openapi.ts"
import { ContactProfileSchema, LinkBody } from "./schemas.ts"

type Json = Record<string, unknown>

export function contactPaths({ jsonSchema, json, error, idParameter }: OpenApiHelpers): Record<string, Json> {
  const body = (schema: Schema.Top) => ({ required: true, content: { "application/json": { schema: jsonSchema(schema) } } })
  const profile = (description: string) => json(jsonSchema(ContactProfileSchema), description)
  const notFound = json(error, "contact_not_found: unknown, or (access \"team\") none of its conversations is one the caller may see")
  const otherIdParameter = { name: "otherId", in: "path", required: true, schema: { type: "string" }, description: "The linked contact that leaves the resident" }
  return {
    "/api/v1/contacts/{id}": {
      get: {
        operationId: "getContact",
        summary: "A contact (channel, handle, name), its conversations and the resident's linked contacts on other channels with their conversations (any role)",
        parameters: [idParameter],
        responses: { "200": profile("The contact"), "401": json(error, "No valid bearer token"), "404": notFound }
      }
    },
    "/api/v1/contacts/{id}/links": {
      post: {
        operationId: "linkContacts",
        summary: "Links another channel's contact to this contact's resident: the same person (any role, audited; contacts and conversations stay apart; SSE conversation.updated for each of the resident's conversations)",
        parameters: [idParameter], requestBody: body(LinkBody),
        responses: {
          "201": profile("Linked: the contact with its linked contacts"),
          "200": profile("Already linked: nothing changed"),
          "400": json(error, "invalid_json"),
          "401": json(error, "No valid bearer token"),
          "404": notFound,
          "409": json(error, "link_conflict: another link or unlink changed these residents meanwhile; nothing changed, retry"),
          "413": json(error, "payload_too_large: a link body is limited to 4 KiB"),
          "422": json(error, "invalid_body; contact_not_found (details path contactId); same_contact; same_channel (both on one channel, or the resident already has a contact on the other's channel)")
        }
      }
    },
    "/api/v1/contacts/{id}/links/{otherId}": {
      delete: {
        operationId: "unlinkContacts",
        summary: "otherId leaves this contact's resident (a resident left with one contact ends; any role, audited)",
        parameters: [idParameter, otherIdParameter],
        responses: { "200": profile("The contact as it is now"), "401": json(error, "No valid bearer token"), "404": json(error, "contact_not_found, or link_not_found: the two are not linked"), "409": json(error, "link_conflict: changed meanwhile; retry") }
      }
    }
  }
}
