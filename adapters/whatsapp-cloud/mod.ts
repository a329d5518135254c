/**
 * WhatsApp Cloud API adapter: public surface, and the channel module adapters/registry.ts lists.
 *
 * `fixtures` is re-exported as a namespace: fixtures.ts is plain data builders plus
 * node:crypto (for `sign`), with no test-framework imports, so it adds nothing test-only
 * to a production bundle beyond a few small functions.
 */
import { Redacted } from "effect"
import { type ChannelAdapter, type ChannelCapabilities, type ChannelWebhook, defineChannel, type Verification } from "../ChannelAdapter.ts"
import { WhatsAppConfig, type WhatsAppSettings } from "./config.ts"
import { MAX_MEDIA_BYTES, mediaKind } from "./media/allow-list.ts"
import { makeWhatsAppMedia, type WhatsAppMediaOptions } from "./media/channel-media.ts"
import { MANAGED_QR_MAX_TEXT, makeManagedQrClient } from "./qr/managed-qr.ts"
import { parseWebhook } from "./parse.ts"
import { makeGraphSendClient } from "./send/graph-client.ts"
import { LIMITS, validateOutbound } from "./send/validate.ts"
import { verifyHandshake, verifySignature } from "./verify.ts"

export { parseWebhook, WABA_OBJECT } from "./parse.ts"
export { verifyHandshake, verifySignature, type HandshakeQuery } from "./verify.ts"
export * as fixtures from "./fixtures.ts"

export const SIGNATURE_HEADER = "x-hub-signature-256"
/** Meta's own batches reach 3 MB and 1,000 updates. */
export const MAX_WEBHOOK_BYTES = 4 * 1024 * 1024

export const WHATSAPP_CAPABILITIES: ChannelCapabilities = {
  window: { kind: "reply", hours: 24, afterWindow: "templates" },
  content: ["text", "template", "image", "document", "audio", "video", "sticker", "interactive", "reaction"],
  templates: true,
  maxTextLength: LIMITS.textBody
}

export interface WhatsAppWebhookOptions {
  /** Meta app secret (`WHATSAPP_APP_SECRET`, falling back to `META_APP_SECRET`). Unset: every POST is refused. */
  readonly appSecret: string | undefined
  /** `WHATSAPP_VERIFY_TOKEN`. Unset: the handshake always fails. */
  readonly verifyToken?: string | undefined
}

export function whatsappWebhook(options: WhatsAppWebhookOptions): ChannelWebhook {
  const { appSecret, verifyToken } = options
  return {
    maxBytes: MAX_WEBHOOK_BYTES,
    format: "json",
    handshake(query) {
      const challenge = verifyHandshake({ mode: query.get("hub.mode"), token: query.get("hub.verify_token"), challenge: query.get("hub.challenge") }, verifyToken)
      return challenge === null
        ? { ok: false, message: "hub.verify_token does not match WHATSAPP_VERIFY_TOKEN (or it is not set)." }
        : { ok: true, body: challenge }
    },
    verify({ raw, headers }): Verification {
      if (appSecret === undefined || appSecret === "") {
        return { ok: false, code: "channel_not_configured", message: "WHATSAPP_APP_SECRET is not set" }
      }
      let header: string | null
      try {
        header = headers.get(SIGNATURE_HEADER)
      } catch {
        header = null
      }
      return verifySignature(raw, header, appSecret)
    },
    parse: parseWebhook
  }
}

/** What is still missing, one phrase each (printed once at start). */
export function missingWhatsAppSettings(w: WhatsAppSettings): Array<string> {
  const missing: Array<string> = []
  if (w.appSecret === undefined && w.metaAppSecret === undefined) missing.push("WHATSAPP_APP_SECRET (webhooks are refused until it is set)")
  if (w.verifyToken === undefined) missing.push("WHATSAPP_VERIFY_TOKEN (Meta's webhook handshake fails until it is set)")
  if (w.accessToken === undefined) missing.push("WHATSAPP_ACCESS_TOKEN (media cannot be fetched, replies cannot be sent)")
  return missing
}

export interface WhatsAppAdapterOptions {
  /** Seams for the media flow (tests: a stand-in resolver, a short timeout). */
  readonly media?: WhatsAppMediaOptions
}

export function makeWhatsAppAdapter(w: WhatsAppSettings, options: WhatsAppAdapterOptions = {}): ChannelAdapter {
  const secret = w.appSecret ?? w.metaAppSecret
  const client = w.accessToken === undefined
    ? undefined
    : makeGraphSendClient({ graphApiUrl: w.graphApiUrl, accessToken: Redacted.value(w.accessToken), timeoutMs: w.sendTimeoutMs })
  const waba = w.businessAccountId
  const missing = missingWhatsAppSettings(w)
  return {
    channel: "whatsapp",
    label: "WhatsApp",
    capabilities: WHATSAPP_CAPABILITIES,
    webhook: whatsappWebhook({
      appSecret: secret === undefined ? undefined : Redacted.value(secret),
      verifyToken: w.verifyToken === undefined ? undefined : Redacted.value(w.verifyToken)
    }),
    validateOutbound,
    sender: client,
    sendRequires: "WHATSAPP_ACCESS_TOKEN",
    templates: client === undefined || waba === undefined
      ? undefined
      : {
        accountId: waba,
        list: async () =>
          (await client.listTemplates(waba)).map((t) => ({
            id: t.id, name: t.name, language: t.language, status: t.status, category: t.category,
            components: t.components, parameterCounts: t.parameterCounts
          }))
      },
    upload: { maxBytes: MAX_MEDIA_BYTES, accepts: (mimeType) => mediaKind(mimeType) !== undefined, defaultAccountId: w.phoneNumberId },
    media: makeWhatsAppMedia(
      { graphApiUrl: w.graphApiUrl, accessToken: w.accessToken === undefined ? undefined : Redacted.value(w.accessToken), extraHosts: w.mediaHosts },
      options.media
    ),
    managedQr: {
      maxTextLength: MANAGED_QR_MAX_TEXT,
      codes: w.accessToken === undefined || w.phoneNumberId === undefined
        ? undefined
        : makeManagedQrClient({ graphApiUrl: w.graphApiUrl, accessToken: Redacted.value(w.accessToken), phoneNumberId: w.phoneNumberId, timeoutMs: w.sendTimeoutMs }),
      unavailable: "Meta's managed QR codes need WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID; set both and restart Loket.",
      provider: "Meta"
    },
    startNotice: missing.length > 0 ? `WhatsApp is not fully configured: ${missing.join("; ")}.` : null
  }
}

/** The WhatsApp Cloud API channel, as adapters/registry.ts lists it. */
export const whatsappChannel = defineChannel({
  channel: "whatsapp",
  label: "WhatsApp",
  capabilities: WHATSAPP_CAPABILITIES,
  config: WhatsAppConfig,
  make: (settings) => makeWhatsAppAdapter(settings)
})
