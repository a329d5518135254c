/**
 * One interface every channel implements. Adding a channel = adding a folder under
 * adapters/ and registering it in adapters/mod.ts; nothing else changes.
 */
import type { Channel } from "../domain/Channel.ts"
import type { ParsedWebhook } from "../domain/InboundEvent.ts"

export type Verification =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: "signature_missing" | "signature_malformed" | "signature_invalid" | "channel_not_configured"; readonly message: string }

export interface ChannelAdapter {
  readonly channel: Channel
  /** Checks the provider's signature over the exact bytes received. Never throws. */
  verify(rawBody: Uint8Array, headers: Headers): Verification
  /** Provider JSON → canonical events. Never throws: what it cannot read goes to `rejected`. */
  parse(body: unknown): ParsedWebhook
}

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

/** The outbound side of a channel. Rejects with a `SendFailure`-shaped error. */
export interface ChannelSender {
  readonly send: (request: import("../domain/Outbound.ts").OutboundRequest) => Promise<{ readonly providerMessageId: string }>
  /** Marks the resident's message (and the ones before it) read. */
  readonly markRead: (channelAccountId: string, providerMessageId: string) => Promise<void>
  /** Uploads a file to the provider, for sending by id. */
  readonly uploadMedia?: (channelAccountId: string, file: { readonly bytes: Uint8Array; readonly mimeType: string; readonly filename: string }) => Promise<{ readonly id: string }>
}

export function isSendFailure(error: unknown): error is SendFailure {
  return typeof error === "object" && error !== null && "retryable" in error && "code" in error && "title" in error
}
