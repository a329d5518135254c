/**
 * WhatsApp Cloud API adapter: public surface.
 *
 * `fixtures` is re-exported as a namespace: fixtures.ts is plain data builders plus
 * node:crypto (for `sign`), with no test-framework imports, so it adds nothing test-only
 * to a production bundle beyond a few small functions.
 */
import type { ChannelAdapter, Verification } from "../ChannelAdapter.ts"
import { parseWebhook } from "./parse.ts"
import { verifySignature } from "./verify.ts"

export { parseWebhook, WABA_OBJECT } from "./parse.ts"
export { verifyHandshake, verifySignature, type HandshakeQuery } from "./verify.ts"
export * as fixtures from "./fixtures.ts"

export const SIGNATURE_HEADER = "x-hub-signature-256"

export interface WhatsAppAdapterOptions {
  /** Meta app secret (`WHATSAPP_APP_SECRET`, falling back to `META_APP_SECRET`). Unset: every POST is refused. */
  readonly appSecret: string | undefined
}

export function makeWhatsAppAdapter(options: WhatsAppAdapterOptions): ChannelAdapter {
  const { appSecret } = options
  return {
    channel: "whatsapp",
    verify(rawBody: Uint8Array, headers: Headers): Verification {
      if (appSecret === undefined || appSecret === "") {
        return { ok: false, code: "channel_not_configured", message: "WHATSAPP_APP_SECRET is not set" }
      }
      let header: string | null
      try {
        header = headers.get(SIGNATURE_HEADER)
      } catch {
        header = null
      }
      return verifySignature(rawBody, header, appSecret)
    },
    parse: parseWebhook
  }
}

/** The same factory under the adapter's registry name. */
export const whatsappCloud = makeWhatsAppAdapter
