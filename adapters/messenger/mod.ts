/**
 * Facebook Messenger (Messenger Platform) adapter: the channel module adapters/registry.ts lists.
 * Webhook `object: "page"`, signed with META_APP_SECRET (`X-Hub-Signature-256`), subscribed with
 * MESSENGER_VERIFY_TOKEN; replies through the Send API with MESSENGER_PAGE_ACCESS_TOKEN. Window:
 * 24 hours, then `HUMAN_AGENT` up to 7 days for what a person wrote (MESSENGER_HUMAN_AGENT=true).
 * See docs/channels/messenger.md.
 */
import { type ChannelCapabilities, defineChannel } from "../ChannelAdapter.ts"
import { makeMetaMessagingAdapter } from "./adapter.ts"
import { MessengerConfig, type MessengerSettings } from "./config.ts"
import { META_MESSAGING_WINDOW, type MetaMessagingProfile } from "./profile.ts"

export { parseMessagingWebhook } from "./parse.ts"
export { toSendApiBody, validateMetaOutbound } from "./send.ts"
export { failureOf } from "./send-api.ts"

/** Messenger's Send API takes at most 2,000 characters of text. */
export const MESSENGER_MAX_TEXT = 2000

export const MESSENGER_CAPABILITIES: ChannelCapabilities = {
  window: META_MESSAGING_WINDOW,
  content: ["text", "image", "document", "audio", "video", "interactive"],
  templates: false,
  maxTextLength: MESSENGER_MAX_TEXT
}

export const MESSENGER_PROFILE: MetaMessagingProfile = {
  channel: "messenger",
  label: "Messenger",
  object: "page",
  capabilities: MESSENGER_CAPABILITIES,
  metadata: true,
  humanAgentVariable: "MESSENGER_HUMAN_AGENT",
  // Messenger's attachments: up to 25 MB.
  upload: {
    maxBytes: 25 * 1024 * 1024,
    mimeTypes: ["image/jpeg", "image/png", "image/gif", "video/mp4", "audio/mpeg", "audio/mp4", "audio/aac", "application/pdf"]
  }
}

export const makeMessengerAdapter = (s: MessengerSettings, fetchImpl?: typeof fetch) =>
  makeMetaMessagingAdapter(MESSENGER_PROFILE, {
    appSecret: s.appSecret, appSecretVariable: "META_APP_SECRET", appId: s.appId,
    token: s.pageAccessToken, tokenVariable: "MESSENGER_PAGE_ACCESS_TOKEN",
    verifyToken: s.verifyToken, verifyTokenVariable: "MESSENGER_VERIFY_TOKEN",
    humanAgent: s.humanAgent, apiUrl: s.graphApiUrl, docs: "docs/channels/messenger.md",
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl })
  })

/** The Messenger channel, as adapters/registry.ts lists it. */
export const messengerChannel = defineChannel({
  channel: "messenger",
  label: "Messenger",
  capabilities: MESSENGER_CAPABILITIES,
  config: MessengerConfig,
  make: (s) => makeMessengerAdapter(s)
})
