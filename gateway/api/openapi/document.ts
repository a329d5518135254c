/**
 * `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, generated from the same Effect
 * schemas that validate requests (query schemas) and describe answers (Message, Conversation).
 */
import { Schema } from "effect"
import type { ChannelAdapter } from "../../../adapters/ChannelAdapter.ts"
import { Conversation } from "../../../domain/Conversation.ts"
import { Message } from "../../../domain/Message.ts"
import { ListConversationsQuery, ListMessagesQuery } from "../conversations/schemas.ts"
import { SendBodies } from "../conversations/send-schemas.ts"
import { RevealAnswer, RevealBody } from "../conversations/reveal-routes.ts"
import { consolePaths, consoleSecurityScheme } from "../../console/openapi.ts"
import { CampaignAnswer, ConfigQuery, CreateCampaignBody, QrQuery, SnippetQuery, UpdateCampaignBody, WidgetConfigAnswer } from "../../widget/schemas.ts"
import { AuditEntry } from "../../../actors/audit/Audit.ts"
import { SettingsDocument } from "../../../domain/settings/mod.ts"
import { ListAuditQuery, SETTINGS_BODY_LIMIT } from "../settings/schemas.ts"
import { peoplePaths } from "../people/openapi.ts"
import { workPaths } from "../conversations/openapi.ts"
import { contactPaths } from "../contacts/openapi.ts"
import { ListAllAuditQuery } from "../audit/routes.ts"
import { QueueQuery } from "../queue/schemas.ts"
import { OfficeHoursPreviewDocument, officeHoursPreviewParameters } from "../office-hours/schemas.ts"

type Json = Record<string, unknown>

const ErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.String.annotate({ description: "snake_case, stable" }),
    message: Schema.String.annotate({ description: "for a person" }),
    details: Schema.optionalKey(Schema.Array(Schema.Struct({
      path: Schema.String,
      message: Schema.String,
      code: Schema.optionalKey(Schema.String.annotate({ description: "for problems fixed outside the document, e.g. template_not_synced, template_not_approved" }))
    })))
  })
}).annotate({ identifier: "Error" })

const PolicyWarningSchema = Schema.Struct({
  code: Schema.Literal("outbound_policy"),
  category: Schema.Literals(["gambling", "adult", "political"]),
  term: Schema.String.annotate({ description: "The word or phrase found" }),
  message: Schema.String,
  path: Schema.String.annotate({ description: "Where in the body, e.g. text or interactive.body" })
}).annotate({ identifier: "PolicyWarning" })

/** The 202 answer: the queued Message and the outbound policy's warnings. */
const SendAnswer = Schema.Struct({ ...Message.fields, warnings: Schema.Array(PolicyWarningSchema) }).annotate({ identifier: "SendAnswer" })

const page = (item: Schema.Top, name: string) =>
  Schema.Struct({ items: Schema.Array(item), nextCursor: Schema.NullOr(Schema.String) }).annotate({ identifier: name })

const components: Record<string, Json> = {}

/** The JSON Schema of `schema`, its named parts moved to `components.schemas`. */
function jsonSchema(schema: Schema.Top): Json {
  const document = Schema.toJsonSchemaDocument(schema)
  for (const [name, definition] of Object.entries(document.definitions)) components[name] = rewrite(definition) as Json
  return rewrite(document.schema) as Json
}

function rewrite(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewrite)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) =>
      [k, k === "$ref" && typeof v === "string" ? v.replace("#/$defs/", "#/components/schemas/") : rewrite(v)]))
  }
  return value
}

function queryParameters(schema: Schema.Top): Array<Json> {
  const object = jsonSchema(schema) as { properties?: Record<string, Json>; required?: Array<string> }
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name, in: "query", required: object.required?.includes(name) ?? false, schema: property,
    ...(typeof property.description === "string" ? { description: property.description } : {})
  }))
}

const json = (schema: Json, description: string) => ({ description, content: { "application/json": { schema } } })
const idParameter = { name: "id", in: "path", required: true, schema: { type: "string" } }

/** `/webhooks/<channel>` for every registered channel: what the provider calls. */
function webhookPaths(channels: ReadonlyArray<ChannelAdapter>, error: Json): Record<string, Json> {
  return Object.fromEntries(channels.map((adapter) => {
    const { webhook, label } = adapter
    const body = webhook.format === "json" ? "application/json" : "application/x-www-form-urlencoded"
    const post = {
      operationId: `${adapter.channel}Webhook`, security: [], tags: ["webhooks"],
      summary: `${label}'s events (signature over the raw bytes; 200 once every event is durable)`,
      requestBody: { required: true, content: { [body]: { schema: { type: "object" } } } },
      responses: {
        "200": { description: "{ status: \"accepted\", accepted, duplicates, parked }, or { status: \"ignored\", reason } for a signed body not for Loket" },
        "400": json(error, webhook.format === "json" ? "invalid_json: the body is not JSON" : "Not a form body"),
        "401": json(error, "signature_missing, signature_malformed or signature_invalid"),
        "413": json(error, `payload_too_large: bodies are limited to ${webhook.maxBytes} bytes`),
        "503": json(error, "channel_not_configured (the secret is not set) or not_durable (the provider delivers again)")
      }
    }
    const get = webhook.handshake === undefined ? {} : {
      get: {
        operationId: `${adapter.channel}WebhookHandshake`, security: [], tags: ["webhooks"], summary: `${label}'s verification handshake`,
        responses: { "200": { description: "The challenge, echoed as text/plain" }, "403": json(error, "verification_failed") }
      }
    }
    return [`/webhooks/${adapter.channel}`, { ...get, post }]
  }))
}

export function openApiDocument(channels: ReadonlyArray<ChannelAdapter> = []): Json {
  const error = jsonSchema(ErrorBody)
  const errors = { "400": json(error, "Bad input: the error names the field"), "401": json(error, "No valid bearer token") }
  return {
    openapi: "3.1.0",
    info: { title: "Loket agent API", version: "1", description: "Residents' conversations with the municipality, on every channel." },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" }, ...consoleSecurityScheme },
      schemas: components
    },
    security: [{ bearer: [] }],
    paths: {
      "/api/v1/conversations": {
        get: {
          operationId: "listConversations", summary: "Conversations, newest activity first, filtered by status, channel, team, assignee and text (q); with access \"team\" an agent sees only those without a team, of its teams, or assigned to it",
          parameters: queryParameters(ListConversationsQuery),
          responses: { "200": json(jsonSchema(page(Conversation, "ConversationPage")), "A page of conversations"), ...errors }
        }
      },
      "/api/v1/queue": {
        get: {
          operationId: "listQueue",
          summary: "The open conversations whose resident waits for an agent's answer, longest waiting first (waitingSince, then id): a resident who wrote while closed is ahead of everyone who wrote after the opening (docs/playbook.md)",
          parameters: queryParameters(QueueQuery),
          responses: { "200": json(jsonSchema(page(Conversation, "ConversationPage")), "A page of waiting conversations"), ...errors }
        }
      },
      "/api/v1/conversations/{id}": {
        get: {
          operationId: "getConversation", parameters: [idParameter],
          description: "A conversation merged into another (its resident's number and BSUID turned out to be one person, docs/contacts.md) answers 404; its messages are in the surviving conversation.",
          responses: { "200": json(jsonSchema(Conversation), "The conversation"), "404": json(error, "Unknown id (or merged into another conversation)"), ...errors }
        }
      },
      "/api/v1/conversations/{id}/messages": {
        get: {
          operationId: "listMessages", summary: "Messages of a conversation, oldest first",
          parameters: [idParameter, ...queryParameters(ListMessagesQuery)],
          responses: { "200": json(jsonSchema(page(Message, "MessagePage")), "A page of messages"), "404": json(error, "Unknown id"), ...errors }
        },
        post: {
          operationId: "sendMessage",
          summary: "An agent's reply: 202 with the queued Message once it is durable",
          parameters: [idParameter, { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 200 }, description: "The same key answers the same message and sends once" }],
          requestBody: { required: true, content: { "application/json": { schema: { oneOf: Object.values(SendBodies).map((body) => jsonSchema(body)) } } } },
          responses: {
            "202": json(jsonSchema(SendAnswer), "Queued; warnings: what the outbound policy check found (sent anyway, audited)"),
            "404": json(error, "Unknown conversation"),
            "422": json(error, "window_closed, template_not_found, template_not_approved, template_parameters, invalid_message (the channel's limits, naming the field), not_supported_by_channel (a content type the conversation's channel cannot send; the message lists what it can), or outbound_policy (outboundPolicy.mode block: details name the field and the term)"),
            "413": json(error, "payload_too_large: the body is over 64 KiB"),
            "503": json(error, "channel_not_configured: the channel's credentials to send are not set"),
            ...errors
          }
        }
      },
      "/api/v1/conversations/{id}/messages/{messageId}/reveal": {
        post: {
          operationId: "revealMessage",
          summary: "A resident's message as sent, its personal data unmasked (when personalData.maskForAgents masks it); audited as message.reveal",
          parameters: [idParameter, { name: "messageId", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: false, content: { "application/json": { schema: jsonSchema(RevealBody) } } },
          responses: {
            "200": json(jsonSchema(RevealAnswer), "The text and reply title as sent, and the audit entry's id"),
            "404": json(error, "message_not_found"),
            "413": json(error, "Body over 64 KiB"),
            "422": json(error, "invalid_reveal: reason over 500 characters"),
            ...errors
          }
        }
      },
      "/api/v1/conversations/{id}/read": {
        post: {
          operationId: "markRead", summary: "Marks the resident's messages read on their channel (an explicit agent action; WhatsApp)",
          parameters: [idParameter],
          responses: { "200": { description: "Marked" }, "404": json(error, "Unknown id"), "409": json(error, "Nothing to mark"), "422": json(error, "not_supported_by_channel: the channel has no read receipts"), "502": json(error, "The provider refused"), "401": errors["401"] }
        }
      },
      "/api/v1/media": {
        post: {
          operationId: "uploadMedia", summary: "Uploads a file to the channel's provider (WhatsApp: the Graph API), to send by id",
          requestBody: {
            content: {
              "multipart/form-data": {
                schema: {
                  type: "object", required: ["file"],
                  properties: {
                    file: { type: "string", format: "binary" },
                    channel: { type: "string", description: "The channel to upload to; default: the first channel with uploads (WhatsApp)" },
                    channelAccountId: { type: "string", description: "The sending account (WhatsApp: phone_number_id); default: the channel's own" }
                  }
                }
              }
            }
          },
          responses: {
            "201": { description: "{ id, mimeType, filename }" }, "413": json(error, "payload_too_large"),
            "422": json(error, "invalid_media (not a file the channel takes), or not_supported_by_channel (the channel takes no uploads)"),
            "503": json(error, "channel_not_configured"), "401": errors["401"]
          }
        }
      },
      "/api/v1/templates": {
        get: { operationId: "listTemplates", summary: "The account's message templates with status and category", responses: { "200": { description: "{ items }" }, "401": errors["401"] } }
      },
      "/api/v1/templates/sync": {
        post: { operationId: "syncTemplates", summary: "Sync templates from the Graph API now (admin)", responses: { "200": { description: "{ status, count }" }, "502": json(error, "The Graph API did not answer"), "401": errors["401"] } }
      },
      "/api/v1/admin/parked": {
        get: { operationId: "listParked", summary: "Events Loket could not handle, with their cause (admin)", responses: { "200": { description: "{ items: [{ seq, key, channel, kind, receivedAt, attempts, lastError }] }" }, "401": errors["401"] } }
      },
      "/api/v1/admin/cluster": {
        get: {
          operationId: "clusterStatus", summary: "How this instance runs (admin): embedded, or in cluster mode its id, partitions, leadership and NATS connection",
          responses: {
            "200": json({
              oneOf: [
                { type: "object", required: ["mode"], properties: { mode: { const: "embedded" } } },
                {
                  type: "object", required: ["mode", "instanceId", "partitions", "owned", "leader", "natsConnected"],
                  properties: {
                    mode: { const: "cluster" }, instanceId: { type: "string" }, partitions: { type: "integer", description: "LOKET_PARTITIONS" },
                    owned: { type: "array", items: { type: "integer" }, description: "the partitions this instance hosts" },
                    leader: { type: ["string", "null"], description: "the instance that runs the outbox dispatcher and timers" },
                    natsConnected: { type: "boolean" },
                    batches: {
                      type: "object", description: "since start: batches of a partition's events applied in one PostgreSQL transaction, their events, and those that failed (applied again one at a time)",
                      properties: { applied: { type: "integer" }, events: { type: "integer" }, failed: { type: "integer" } }
                    }
                  }
                }
              ]
            }, "The instance that answered"),
            "401": errors["401"], "403": json(error, "Not an admin token")
          }
        }
      },
      "/api/v1/admin/parked/{seq}/retry": {
        post: {
          operationId: "retryParked", summary: "Hand a parked event to its conversation again (admin)",
          parameters: [{ name: "seq", in: "path", required: true, schema: { type: "integer" } }],
          responses: { "202": { description: "Requeued" }, "404": json(error, "Not parked"), "409": json(error, "Never understood: nothing to retry"), "401": errors["401"] }
        }
      },
      "/api/v1/events": {
        get: {
          operationId: "streamEvents",
          summary: "Server-Sent Events (link.blocked: an alert that a resident sent a blocked link, data { conversationId, messageId, links, at }): message.created, message.updated, conversation.updated, conversation.assigned (data: the full resource), note.created (data: the note's Message; with access \"team\" an agent's stream carries only the conversations it may see); conversation.window_closing (data: the Conversation); channel.alert (data: { channel, channelAccountId, code, title, message, at })",
          responses: { "200": { description: "An event stream", content: { "text/event-stream": { schema: { type: "string" } } } }, "401": errors["401"] }
        }
      },
      "/api/v1/media/{id}": {
        get: {
          operationId: "getMedia",
          summary: "A resident's photo, voice note or document (Message.media.id), from the channel that owns the id: from Loket's disk cache when the channel caches (WhatsApp), else streamed from the provider; only types on the attachment allow-list (images, PDF, office documents, text, audio, video)",
          parameters: [idParameter],
          responses: {
            "200": { description: "The file", content: { "*/*": { schema: { type: "string", format: "binary" } } } },
            "400": json(error, "invalid_media_id: no channel of this Loket has ids like this one (details name the formats)"),
            "404": json(error, "media_not_found: the provider does not know the id, or it has expired"),
            "502": json(error, "The provider did not hand it over: channel_token_expired, media_unavailable; WhatsApp also media_host_not_allowed, media_too_large, media_type_not_allowed, media_integrity_failed"),
            "503": json(error, "channel_not_configured: the channel's credentials are not set"),
            "401": errors["401"]
          }
        }
      },
      "/api/v1/campaigns": {
        get: { operationId: "listCampaigns", summary: "The widget's QR campaigns with their scan counts (admin)", responses: { "200": json({ type: "object", properties: { items: { type: "array", items: jsonSchema(CampaignAnswer) } } }, "{ items }"), "401": errors["401"] } },
        post: {
          operationId: "createCampaign", summary: "A campaign link /r/<id> for a poster or letter (admin)",
          requestBody: { content: { "application/json": { schema: jsonSchema(CreateCampaignBody) } } },
          responses: { "201": json(jsonSchema(CampaignAnswer), "The campaign"), "409": json(error, "The id is taken (campaign_exists), or managedQr without WhatsApp credentials (managed_qr_unavailable)"), "413": json(error, "Body over 16 KiB"), "422": json(error, "Invalid: details name the field"), "502": json(error, "Meta refused the managed QR code (managed_qr_failed): nothing changed"), ...errors }
        }
      },
      "/api/v1/campaigns/{id}": {
        get: { operationId: "getCampaign", parameters: [idParameter], responses: { "200": json(jsonSchema(CampaignAnswer), "The campaign"), "404": json(error, "Unknown id"), "401": errors["401"] } },
        patch: {
          operationId: "updateCampaign", parameters: [idParameter], summary: "Rename it or change its text (admin); the count stays",
          requestBody: { content: { "application/json": { schema: jsonSchema(UpdateCampaignBody) } } },
          responses: { "200": json(jsonSchema(CampaignAnswer), "The campaign"), "404": json(error, "Unknown id"), "409": json(error, "managedQr without WhatsApp credentials"), "422": json(error, "Invalid: details name the field"), "502": json(error, "Meta refused the managed QR code: nothing changed"), ...errors }
        },
        delete: { operationId: "deleteCampaign", parameters: [idParameter], responses: { "204": { description: "Deleted (its link still leads to the chat, uncounted)" }, "404": json(error, "Unknown id"), "401": errors["401"] } }
      },
      "/widget.js": {
        get: { operationId: "widgetScript", security: [], summary: "The embeddable click-to-chat script (public)", responses: { "200": { description: "JavaScript", content: { "text/javascript": { schema: { type: "string" } } } } } }
      },
      "/widget/config": {
        get: {
          operationId: "widgetConfig", security: [], summary: "What the script needs for one page: shown or not, the wa.me link, percentage, office hours (public, cached 60 s, CORS to widget.origins)",
          parameters: queryParameters(ConfigQuery),
          responses: { "200": json(jsonSchema(WidgetConfigAnswer), "The page's widget configuration"), "422": json(error, "Invalid query: details name the field") }
        }
      },
      "/widget/snippet.html": {
        get: {
          operationId: "widgetSnippet", security: [], summary: "The no-JavaScript fallback: <div data-loket-widget><a href=\"https://wa.me/…\">Chat via WhatsApp</a></div> (public)",
          parameters: queryParameters(SnippetQuery),
          responses: { "200": { description: "An HTML fragment", content: { "text/html": { schema: { type: "string" } } } }, "409": json(error, "No widget.number set"), "422": json(error, "Invalid query") }
        }
      },
      "/widget/qr.svg": {
        get: {
          operationId: "widgetQrSvg", security: [], summary: "QR code of the wa.me link (or of a campaign link), SVG with a title (public)",
          parameters: queryParameters(QrQuery),
          responses: { "200": { description: "SVG", content: { "image/svg+xml": { schema: { type: "string" } } } }, "409": json(error, "No widget.number set"), "422": json(error, "Invalid query: details name the field") }
        }
      },
      "/widget/qr.png": {
        get: {
          operationId: "widgetQrPng", security: [], summary: "The same QR code as PNG (public)",
          parameters: queryParameters(QrQuery),
          responses: { "200": { description: "PNG", content: { "image/png": { schema: { type: "string", format: "binary" } } } }, "409": json(error, "No widget.number set"), "422": json(error, "Invalid query: details name the field") }
        }
      },
      "/r/{campaign}": {
        get: {
          operationId: "campaignScan", security: [], summary: "Counts a scan (no IP, no cookie) and redirects to wa.me with the campaign's text (public)",
          parameters: [{ name: "campaign", in: "path", required: true, schema: { type: "string" } }],
          responses: { "302": { description: "To https://wa.me/<number>?text=…; an unknown campaign leads to the widget's general text, uncounted" }, "404": json(error, "No widget.number set") }
        }
      },
      "/api/v1/settings": settingsPaths(error, errors),
      "/api/v1/settings/audit": {
        get: {
          operationId: "listSettingsAudit", summary: "Changes to the settings, newest first: who, when, before and after (admin)",
          parameters: queryParameters(ListAuditQuery),
          responses: { "200": json(jsonSchema(page(AuditEntry, "AuditPage")), "A page of audit entries"), "403": json(error, "Not an admin token"), ...errors }
        }
      },
      "/api/v1/audit": {
        get: {
          operationId: "listAudit", summary: "Every admin action, newest first: settings, tokens, agents, teams, reveals of personal data — who, when, before and after (admin)",
          parameters: queryParameters(ListAllAuditQuery),
          responses: { "200": json(jsonSchema(page(AuditEntry, "AuditPage")), "A page of audit entries"), "403": json(error, "Not an admin token"), ...errors }
        }
      },
      ...peoplePaths({ jsonSchema, json, error, idParameter }),
      ...workPaths({ jsonSchema, json, error, idParameter }, queryParameters),
      ...contactPaths({ jsonSchema, json, error, idParameter }),
      "/api/v1/office-hours": {
        get: {
          operationId: "previewOfficeHours",
          summary: "The office hours the settings give (any role): opening periods as UTC instants, dates closed as a whole and why (Dutch holiday name, closedDates, override), and the next opening",
          parameters: officeHoursPreviewParameters,
          responses: {
            "200": json(jsonSchema(OfficeHoursPreviewDocument), "The preview"),
            "422": json(error, "invalid_query: from is not a real YYYY-MM-DD date or days is not 1 to 400"),
            "401": errors["401"]
          }
        }
      },
      "/api/v1/openapi.json": { get: { operationId: "openapi", security: [], responses: { "200": { description: "This document" } } } },
      ...webhookPaths(channels, error),
      ...consolePaths(error)
    }
  }
}

/** GET, PUT and PATCH /api/v1/settings (admin). */
function settingsPaths(error: Json, errors: Record<string, Json>): Json {
  const settings = jsonSchema(SettingsDocument)
  const refused = {
    "403": json(error, "Not an admin token"),
    "409": json(error, "settings_conflict: changed elsewhere at the same moment, again and again; retry"),
    "413": json(error, `Body over ${SETTINGS_BODY_LIMIT / 1024} KiB`),
    "422": json(error, "invalid_settings: details lists every bad field with its path, e.g. officeHours.weekly.monday[0].open"),
    ...errors
  }
  return {
    get: {
      operationId: "getSettings", summary: "The municipality's settings, every key with defaults filled in (admin)",
      responses: { "200": json(settings, "The settings"), "403": refused["403"], "401": errors["401"] }
    },
    put: {
      operationId: "replaceSettings", summary: "Replaces the settings; keys left out take their defaults (admin, audited)",
      requestBody: { required: true, content: { "application/json": { schema: settings } } },
      responses: { "200": json(settings, "The settings now"), ...refused }
    },
    patch: {
      operationId: "patchSettings", summary: "JSON merge patch (RFC 7386): objects merge, null puts a key back to its default (admin, audited)",
      requestBody: { required: true, content: { "application/merge-patch+json": { schema: { type: "object" } }, "application/json": { schema: { type: "object" } } } },
      responses: { "200": json(settings, "The settings now"), "415": json(error, "Not application/merge-patch+json or application/json"), ...refused }
    }
  }
}
