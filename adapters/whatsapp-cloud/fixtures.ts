/**
 * Realistic Meta webhook bodies for tests, end-to-end tests and benchmarks.
 * Envelope, contacts, statuses, template updates and signing live here; message builders
 * in fixtures-messages.ts (re-exported). Depends on node:crypto only — no test framework.
 *
 * Typical use:
 *   const body = webhookBody({ contacts: [contact({ waId: "31612345678", name: "Sanne" })],
 *                              messages: [textMessage({ from: "31612345678", body: "Hoi" })] })
 *   const raw = JSON.stringify(body)
 *   fetch(url, { method: "POST", body: raw, headers: { "x-hub-signature-256": sign(raw, secret) } })
 */
import { createHmac } from "node:crypto"
import { DEFAULT_FROM, DEFAULT_TIMESTAMP, textMessage, type Json } from "./fixtures-messages.ts"

export * from "./fixtures-messages.ts"

export const DEFAULT_PHONE_NUMBER_ID = "106540352242922"
export const DEFAULT_DISPLAY_PHONE_NUMBER = "31201234567"
export const DEFAULT_WABA_ID = "102290129340398"

/** `X-Hub-Signature-256` header value for a raw body: `sha256=<hex HMAC-SHA256>`. */
export function sign(rawBody: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`
}

/** A `value.contacts[]` item. Give `waId`, `userId` (BSUID) or both. */
export function contact(o: { readonly waId?: string; readonly userId?: string; readonly name?: string }): Json {
  return {
    profile: { name: o.name ?? "Sanne de Vries" },
    ...(o.waId === undefined ? {} : { wa_id: o.waId }),
    ...(o.userId === undefined ? {} : { user_id: o.userId })
  }
}

export interface StatusOptions {
  readonly id: string
  readonly status: string
  /** Phone number; `null` leaves it out (BSUID-only recipient). */
  readonly recipientId?: string | null
  readonly recipientUserId?: string
  readonly timestamp?: string | number
  readonly errors?: ReadonlyArray<Json>
  /** `biz_opaque_callback_data`: what the business set on the send (Loket: its message id). */
  readonly trackingId?: string
}

/** A `value.statuses[]` item, with the `conversation` and `pricing` objects Meta adds. */
export function statusUpdate(o: StatusOptions): Json {
  return {
    id: o.id,
    status: o.status,
    timestamp: o.timestamp ?? DEFAULT_TIMESTAMP,
    ...(o.recipientId === null ? {} : { recipient_id: o.recipientId ?? DEFAULT_FROM }),
    ...(o.recipientUserId === undefined ? {} : { recipient_user_id: o.recipientUserId }),
    ...(o.status === "failed" || o.status === "read" ? {} : {
      conversation: { id: "f5fdae3920125a39a1e6a23e5f877c16", origin: { type: "service" } }
    }),
    pricing: { billable: o.status !== "failed", pricing_model: "PMP", category: "service" },
    ...(o.errors === undefined ? {} : { errors: o.errors }),
    ...(o.trackingId === undefined ? {} : { biz_opaque_callback_data: o.trackingId })
  }
}

/** Meta's error object as it appears on failed statuses and unsupported messages. */
export function metaError(code: number, title: string, details = title): Json {
  return { code, title, message: title, error_data: { details }, href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/" }
}

/** Item lists are `unknown[]` so tests can slip in broken items. */
export interface ValueOptions {
  /** `null` leaves metadata.phone_number_id out. */
  readonly phoneNumberId?: string | null
  readonly displayPhoneNumber?: string
  readonly contacts?: ReadonlyArray<unknown>
  readonly messages?: ReadonlyArray<unknown>
  readonly statuses?: ReadonlyArray<unknown>
  readonly errors?: ReadonlyArray<unknown>
}

/** A `changes[]` item with `field: "messages"`. */
export function messagesChange(o: ValueOptions): Json {
  const metadata: Json = { display_phone_number: o.displayPhoneNumber ?? DEFAULT_DISPLAY_PHONE_NUMBER }
  if (o.phoneNumberId !== null) metadata.phone_number_id = o.phoneNumberId ?? DEFAULT_PHONE_NUMBER_ID
  const value: Json = { messaging_product: "whatsapp", metadata }
  if (o.contacts !== undefined) value.contacts = o.contacts
  if (o.messages !== undefined) value.messages = o.messages
  if (o.statuses !== undefined) value.statuses = o.statuses
  if (o.errors !== undefined) value.errors = o.errors
  return { value, field: "messages" }
}

/** An `entry[]` item: one WABA, any number of changes. */
export function entry(o: { readonly wabaId?: string; readonly time?: number; readonly changes: ReadonlyArray<Json> }): Json {
  return { id: o.wabaId ?? DEFAULT_WABA_ID, ...(o.time === undefined ? {} : { time: o.time }), changes: o.changes }
}

/** The whole body from entries: `{ object: "whatsapp_business_account", entry }`. */
export function envelope(entries: ReadonlyArray<Json>, object = "whatsapp_business_account"): Json {
  return { object, entry: entries }
}

/** The common case: one entry, one `messages` change. */
export function webhookBody(o: ValueOptions & { readonly wabaId?: string } = {}): Json {
  return envelope([entry({ ...(o.wabaId === undefined ? {} : { wabaId: o.wabaId }), changes: [messagesChange(o)] })])
}

export interface TemplateStatusOptions {
  readonly wabaId?: string
  /** `entry.time`, Unix seconds (a number, as Meta sends it). `null` leaves it out. */
  readonly time?: number | null
  readonly event?: string
  readonly templateId?: number | string
  readonly name?: string
  readonly language?: string
  readonly reason?: string | null
}

/** A whole `message_template_status_update` body. */
export function templateStatusUpdate(o: TemplateStatusOptions = {}): Json {
  return envelope([{
    id: o.wabaId ?? DEFAULT_WABA_ID,
    ...(o.time === null ? {} : { time: o.time ?? 1751247548 }),
    changes: [{
      value: {
        event: o.event ?? "APPROVED",
        message_template_id: o.templateId ?? 1689556908129832,
        message_template_name: o.name ?? "gemeente_follow_up",
        message_template_language: o.language ?? "nl",
        reason: o.reason === undefined ? "NONE" : o.reason,
        message_template_category: "UTILITY"
      },
      field: "message_template_status_update"
    }]
  }])
}

/** `count` text messages from `count` residents (with contacts), for batch tests and benchmarks. */
export function textBatch(count: number, o: { readonly phoneNumberId?: string } = {}): Json {
  const contacts: Array<Json> = []
  const messages: Array<Json> = []
  for (let i = 0; i < count; i++) {
    const waId = `316${String(10_000_000 + i).padStart(8, "0")}`
    contacts.push(contact({ waId, userId: `NL.${1_000_000_000 + i}`, name: `Inwoner ${i}` }))
    messages.push(textMessage({ from: waId, body: `Bericht ${i}: wanneer wordt het grofvuil opgehaald?` }))
  }
  return webhookBody({ ...(o.phoneNumberId === undefined ? {} : { phoneNumberId: o.phoneNumberId }), contacts, messages })
}
