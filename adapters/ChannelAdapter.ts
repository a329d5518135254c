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
