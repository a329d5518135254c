/**
 * Instagram (Messenger Platform for Instagram) adapter: the channel module adapters/registry.ts lists.
 * Works with an Instagram professional account on its own (Instagram API with Instagram Login, no
 * Facebook Page). Webhook `object: "instagram"`, the same `messaging[]` shape as Messenger
 * (IGSID senders, `is_deleted`, story replies and mentions), signed with INSTAGRAM_APP_SECRET or
 * META_APP_SECRET, subscribed with INSTAGRAM_VERIFY_TOKEN; replies through `POST {INSTAGRAM_API_URL}/me/messages`
 * with INSTAGRAM_ACCESS_TOKEN. Text up to 1,000 characters; the heart as a reaction.
 * See docs/channels/instagram.md.
 */
import { type ChannelCapabilities, defineChannel } from "../ChannelAdapter.ts"
import { makeMetaMessagingAdapter } from "../messenger/adapter.ts"
import { META_MESSAGING_WINDOW, type MetaMessagingProfile } from "../messenger/profile.ts"
import { InstagramConfig, type InstagramSettings } from "./config.ts"

/** Instagram's Send API takes at most 1,000 characters of text. */
export const INSTAGRAM_MAX_TEXT = 1000

export const INSTAGRAM_CAPABILITIES: ChannelCapabilities = {
  window: META_MESSAGING_WINDOW,
  content: ["text", "image", "document", "audio", "video", "interactive", "reaction"],
  templates: false,
  maxTextLength: INSTAGRAM_MAX_TEXT
}

export const INSTAGRAM_PROFILE: MetaMessagingProfile = {
  channel: "instagram",
  label: "Instagram",
  object: "instagram",
  capabilities: INSTAGRAM_CAPABILITIES,
  metadata: false,
  humanAgentVariable: "INSTAGRAM_HUMAN_AGENT"
}

export const makeInstagramAdapter = (s: InstagramSettings, fetchImpl?: typeof fetch) =>
  makeMetaMessagingAdapter(INSTAGRAM_PROFILE, {
    appSecret: s.instagramAppSecret ?? s.metaAppSecret,
    appSecretVariable: s.instagramAppSecret === undefined ? "META_APP_SECRET" : "INSTAGRAM_APP_SECRET",
    appId: s.instagramAppId ?? s.metaAppId,
    token: s.accessToken, tokenVariable: "INSTAGRAM_ACCESS_TOKEN",
    verifyToken: s.verifyToken, verifyTokenVariable: "INSTAGRAM_VERIFY_TOKEN",
    humanAgent: s.humanAgent, apiUrl: s.apiUrl, docs: "docs/channels/instagram.md",
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl })
  })

/** The Instagram channel, as adapters/registry.ts lists it. */
export const instagramChannel = defineChannel({
  channel: "instagram",
  label: "Instagram",
  capabilities: INSTAGRAM_CAPABILITIES,
  config: InstagramConfig,
  make: (s) => makeInstagramAdapter(s)
})
