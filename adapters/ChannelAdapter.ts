/**
 * The one interface every channel implements. Adding a channel = adding a folder under
 * adapters/ that exports a `ChannelModule`, and one line in adapters/registry.ts; nothing
 * in gateway/ or actors/ names a channel.
 *
 * A module is static (its name and capabilities, known without configuration) plus an Effect
 * `Config` that reads the channel's own environment variables and a `make` that turns those
 * settings into a running `ChannelAdapter` (webhook, validation, sender, start-up notice).
 */
import type { Config, Effect } from "effect"
import type { Channel } from "../domain/Channel.ts"
import type { ParsedWebhook } from "../domain/InboundEvent.ts"
import type { OutboundContent, OutboundRequest } from "../domain/Outbound.ts"

// ---------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------

export type Verification =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: "signature_missing" | "signature_malformed" | "signature_invalid" | "channel_not_configured"; readonly message: string }

/** What the generic webhook route hands an adapter to check a delivery. */
export interface WebhookRequest {
  /** The exact bytes received. */
  readonly raw: Uint8Array
  readonly headers: Headers
  /**
   * The full public URL the provider called, query included (Twilio-style signatures sign it):
   * `LOKET_PUBLIC_URL` + path + query when that is set, else the URL the request arrived on.
   */
  readonly url: string
}

/** The answer to a GET handshake: the body to echo, or why not (→ 403). */
export type HandshakeResult = { readonly ok: true; readonly body: string } | { readonly ok: false; readonly message: string }

/** What `/webhooks/<channel>` needs from a channel; the route itself is generic (gateway/webhooks/channel-webhook.ts). */
export interface ChannelWebhook {
  /** Bodies above this are refused with 413, by Content-Length or while they stream in. */
  readonly maxBytes: number
  /** How the body is decoded after the signature check: JSON (`400 invalid_json` if not), or `application/x-www-form-urlencoded` (a `Record<string, string>`). */
  readonly format: "json" | "form"
  /** `GET /webhooks/<channel>`: the provider's verification handshake, if it has one (else GET is 404). */
  readonly handshake?: ((query: URLSearchParams) => HandshakeResult) | undefined
  /** Checks the signature over the raw bytes. Never throws. `channel_not_configured` → 503, the others → 401. */
  readonly verify: (request: WebhookRequest) => Verification
  /** Decoded body → canonical events. Never throws: what it cannot read goes to `rejected`. */
  readonly parse: (body: unknown) => ParsedWebhook
}

// ---------------------------------------------------------------------------------------------
// Capabilities
// ---------------------------------------------------------------------------------------------

/** The kinds of outbound content Loket knows (`OutboundContent["type"]`). */
export type OutboundKind = OutboundContent["type"]
export const OUTBOUND_KINDS: ReadonlyArray<OutboundKind> = ["text", "template", "image", "document", "audio", "video", "sticker", "interactive", "reaction"]

/**
 * When an agent may write freely. `none`: always (Telegram, SMS). `reply`: within `hours` of the
 * resident's last message (WhatsApp 24); after it only templates (`afterWindow: "templates"`),
 * or nothing; `tag`: a longer window in which a send is allowed when it carries that message tag
 * (Messenger: 24 h, then `HUMAN_AGENT` up to 7 days = 168 h) — the actor sets `OutboundRequest.tag`.
 */
export type WindowRule =
  | { readonly kind: "none" }
  | {
    readonly kind: "reply"
    readonly hours: number
    readonly afterWindow: "templates" | "nothing"
    /** `humanOnly`: the tag may carry only what a person wrote (Meta's `HUMAN_AGENT`), never an auto-reply. */
    readonly tag?: { readonly name: string; readonly hours: number; readonly humanOnly?: boolean | undefined } | undefined
  }

export interface ChannelCapabilities {
  readonly window: WindowRule
  /** Outbound content types the channel can send; anything else → `422 not_supported_by_channel`. */
  readonly content: ReadonlyArray<OutboundKind>
  /** Whether the channel has provider-approved templates (WhatsApp) or none. */
  readonly templates: boolean
  /** Longest text message, in Unicode code points. */
  readonly maxTextLength: number
}

/** One problem with an outbound message: a path into the API body and a message naming the limit and the fix. */
export interface OutboundProblem {
  readonly path: string
  readonly message: string
}

// ---------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------

/** Why a send did not go through, in words the dispatcher acts on. */
export interface SendFailure {
  /** Try again later (5xx, timeouts, throughput and pair limits). */
  readonly retryable: boolean
  readonly code: number | string
  readonly title: string
  /** The channel's credentials no longer work: admins must act (WhatsApp: code 190). */
  readonly tokenExpired: boolean
  /** The provider asked to wait this long. */
  readonly retryAfterMs: number | null
}

/** A provider's refusal or failure as an Error: `<api>: <code> <title>`, with the SendFailure's fields. */
export class ProviderError extends Error implements SendFailure {
  readonly retryable: boolean
  readonly code: number | string
  readonly title: string
  readonly tokenExpired: boolean
  readonly retryAfterMs: number | null
  constructor(api: string, failure: SendFailure) {
    super(`${api}: ${failure.code} ${failure.title}`)
    this.name = "ProviderError"
    this.retryable = failure.retryable
    this.code = failure.code
    this.title = failure.title
    this.tokenExpired = failure.tokenExpired
    this.retryAfterMs = failure.retryAfterMs
  }
}

/** The outbound side of a channel. Rejects with a `SendFailure`-shaped error. */
export interface ChannelSender {
  readonly send: (request: OutboundRequest) => Promise<{ readonly providerMessageId: string }>
  /** Marks the resident's message (and the ones before it) read; absent: the channel has no read receipts. */
  readonly markRead?: (channelAccountId: string, providerMessageId: string) => Promise<void>
  /** Uploads a file to the provider, for sending by id. */
  readonly uploadMedia?: (channelAccountId: string, file: { readonly bytes: Uint8Array; readonly mimeType: string; readonly filename: string }) => Promise<{ readonly id: string }>
}

export function isSendFailure(error: unknown): error is SendFailure {
  return typeof error === "object" && error !== null && "retryable" in error && "code" in error && "title" in error
}

/** A template as the provider lists it (WhatsApp: the WABA's message templates). */
export interface ChannelTemplate {
  readonly id: string
  readonly name: string
  readonly language: string
  readonly status: string
  readonly category: string | null
  readonly components: unknown
  readonly parameterCounts: { readonly header: number; readonly body: number; readonly buttons: number } | null
}

export interface ChannelTemplateSource {
  readonly accountId: string
  readonly list: () => Promise<ReadonlyArray<ChannelTemplate>>
}

/** `POST /api/v1/media` for this channel: which files it takes and where they go by default. */
export interface ChannelUpload {
  readonly maxBytes: number
  readonly accepts: (mimeType: string) => boolean
  /** The sending account when the caller names none (WhatsApp: WHATSAPP_PHONE_NUMBER_ID). */
  readonly defaultAccountId: string | undefined
}

/** A resident's file, as a channel hands it to `GET /api/v1/media/:id`. */
export interface ChannelFile {
  readonly body: ReadableStream<Uint8Array>
  readonly mimeType: string
  /** Bytes, when the provider says. */
  readonly size: number | null
  readonly filename: string | null
  /** The provider's checksum of the bytes (WhatsApp: Meta's sha256), kept with a cached file; the body itself errors on a mismatch. */
  readonly sha256?: string | null | undefined
}

/** Why a file could not be fetched: the route answers `status` with `code` and `message` (no resident data in it). */
export interface ChannelMediaFailure {
  readonly status: 404 | 502 | 503
  readonly code: string
  readonly message: string
  /** The fields the refusal is about, for the answer's `error.details`. */
  readonly details?: ReadonlyArray<{ readonly path: string; readonly message: string }>
  /**
   * The line for the administrators' log (never a token, a URL or resident data). Absent: the route logs
   * "<label> media not fetched: <code>" for anything but a 404; null: nothing is logged.
   */
  readonly log?: string | null | undefined
}

export const isChannelMediaFailure = (error: unknown): error is ChannelMediaFailure =>
  typeof error === "object" && error !== null && "status" in error && "code" in error && "message" in error

/** Residents' media for agents: `GET /api/v1/media/:id` asks the channel that owns the id. */
export interface ChannelMedia {
  /** Whether `id` (a `Message.media.id`) is one of this channel's. Channels' ids never overlap. */
  readonly owns: (id: string) => boolean
  /**
   * Rejects with a `ChannelMediaFailure`; the body may error with one too (a size limit, a checksum
   * mismatch, a stalled host), and then nothing is cached.
   */
  readonly fetch: (id: string) => Promise<ChannelFile>
  /**
   * Keep fetched files in Loket's on-disk media cache (`LOKET_MEDIA_DIR`, `LOKET_MEDIA_CACHE_MIB`) and
   * serve them from there, fetching one id once at a time (WhatsApp: Meta's URLs are short-lived and
   * every fetch costs two Graph calls). Absent: every request streams from the provider.
   */
  readonly cached?: boolean | undefined
  /** What the channel's ids look like, for the `400 invalid_media_id` answer: "1 to 32 digits". */
  readonly idFormat?: string | undefined
}

/** A QR code the provider keeps (WhatsApp: Meta's managed message QR codes, `wa.me/message/<code>`). */
export interface ChannelQrCode {
  readonly code: string
  readonly deepLinkUrl: string
  readonly prefilledMessage: string
}

/** The provider's calls for managed QR codes; each fails with a message naming the provider's answer (never a token). */
export interface ChannelQrCodes {
  readonly create: (prefilledMessage: string) => Effect.Effect<ChannelQrCode, { readonly message: string }>
  /** The same code (still printed) with another message. */
  readonly update: (code: string, prefilledMessage: string) => Effect.Effect<ChannelQrCode, { readonly message: string }>
  /** Removes the code at the provider: a printed one stops working. */
  readonly remove: (code: string) => Effect.Effect<void, { readonly message: string }>
}

/** Campaigns with `managedQr` (`/api/v1/campaigns`): QR codes the provider keeps, with a prefilled message that can change after printing. */
export interface ChannelManagedQr {
  /** Longest prefilled message, in Unicode code points (WhatsApp: 140). */
  readonly maxTextLength: number
  /** Undefined while the credentials are missing (→ `409 managed_qr_unavailable` with `unavailable`). */
  readonly codes: ChannelQrCodes | undefined
  /** The 409 message: what an administrator sets ("Meta's managed QR codes need …; set both and restart Loket."). */
  readonly unavailable: string
  /** Whose limit `maxTextLength` is, for the 422 message: "Meta". */
  readonly provider: string
}

// ---------------------------------------------------------------------------------------------
// The adapter and its module
// ---------------------------------------------------------------------------------------------

export interface ChannelAdapter {
  readonly channel: Channel
  /** The channel's name for people: "WhatsApp", "Telegram". */
  readonly label: string
  readonly capabilities: ChannelCapabilities
  readonly webhook: ChannelWebhook
  /**
   * The channel's own limits on content it supports (the route has already checked the type
   * against `capabilities.content`). Every problem at once; [] = fine. → `422 invalid_message`.
   */
  readonly validateOutbound: (content: OutboundContent) => ReadonlyArray<OutboundProblem>
  /** Undefined while the credentials to send are missing (→ `503 channel_not_configured`). */
  readonly sender: ChannelSender | undefined
  /** The variables an administrator sets to send, for the 503 answer: "WHATSAPP_ACCESS_TOKEN". */
  readonly sendRequires: string
  /** Provider templates, when the channel has them and they are configured. */
  readonly templates?: ChannelTemplateSource | undefined
  /** Media uploads for sending by id, when the channel has them. */
  readonly upload?: ChannelUpload | undefined
  /** Residents' media for agents (`GET /api/v1/media/:id`), when the channel has them. */
  readonly media?: ChannelMedia | undefined
  /** Managed QR codes for campaigns, when the provider keeps them (WhatsApp). */
  readonly managedQr?: ChannelManagedQr | undefined
  /** The one line printed at start when something is missing ("Telegram is off: set …"), else null. */
  readonly startNotice: string | null
}

export interface ChannelModule<Settings = unknown> {
  readonly channel: Channel
  readonly label: string
  readonly capabilities: ChannelCapabilities
  /** Reads the channel's own environment variables (see /work/shared/CONTRACT.md "More channels"). */
  readonly config: Config.Config<Settings>
  readonly make: (settings: Settings) => ChannelAdapter
}

/** Declares a module with its settings type checked, then erased for the registry's list. */
export const defineChannel = <Settings>(module: ChannelModule<Settings>): ChannelModule<Settings> => module

/** The route-level check every channel gets: is this content type one the channel can send? */
export function unsupportedContent(capabilities: ChannelCapabilities, label: string, type: OutboundKind): OutboundProblem | undefined {
  if (capabilities.content.includes(type)) return undefined
  return {
    path: type === "text" || type === "template" || type === "interactive" || type === "reaction" ? type : "media.type",
    message: `${label} cannot send ${type} messages; it can send: ${capabilities.content.join(", ")}`
  }
}
