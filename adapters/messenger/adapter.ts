/**
 * One `ChannelAdapter` for a Messenger Platform channel (Messenger or Instagram), from its profile
 * and settings: signature and handshake, parse, validation and the Send API sender.
 */
import { Redacted } from "effect"
import type { ChannelAdapter } from "../ChannelAdapter.ts"
import { parseMessagingWebhook } from "./parse.ts"
import type { MetaMessagingProfile } from "./profile.ts"
import { makeMetaSender, validateMetaOutbound } from "./send.ts"
import { makeSendApi } from "./send-api.ts"
import { metaHandshake, verifyMetaSignature } from "./verify.ts"

/** Messenger Platform webhooks batch events; Meta keeps them well under 1 MiB. */
export const MAX_META_MESSAGING_WEBHOOK_BYTES = 1024 * 1024
/** Deadline for one Send API call, answer included. */
export const META_SEND_TIMEOUT_MS = 15_000

export interface MetaMessagingSettings {
  readonly appSecret: Redacted.Redacted<string> | undefined
  readonly appSecretVariable: string
  readonly appId: string | undefined
  readonly token: Redacted.Redacted<string> | undefined
  readonly tokenVariable: string
  readonly verifyToken: Redacted.Redacted<string> | undefined
  readonly verifyTokenVariable: string
  readonly humanAgent: boolean
  readonly apiUrl: string
  readonly docs: string
  readonly fetch?: typeof fetch
}

function startNotice(profile: MetaMessagingProfile, s: MetaMessagingSettings): string | null {
  if (s.token === undefined && s.verifyToken === undefined) {
    return `${profile.label} is off: set ${s.tokenVariable}, ${s.verifyTokenVariable} and ${s.appSecretVariable} to use it (${s.docs}).`
  }
  const missing = [
    ...(s.appSecret === undefined ? [`${s.appSecretVariable} (webhooks are refused until it is set)`] : []),
    ...(s.verifyToken === undefined ? [`${s.verifyTokenVariable} (Meta cannot subscribe the webhook)`] : []),
    ...(s.token === undefined ? [`${s.tokenVariable} (replies cannot be sent)`] : [])
  ]
  return missing.length === 0 ? null : `${profile.label} is not fully configured: ${missing.join("; ")}.`
}

export function makeMetaMessagingAdapter(profile: MetaMessagingProfile, s: MetaMessagingSettings): ChannelAdapter {
  const api = s.token === undefined
    ? undefined
    : makeSendApi({ label: profile.label, apiUrl: s.apiUrl, token: Redacted.value(s.token), timeoutMs: META_SEND_TIMEOUT_MS, ...(s.fetch === undefined ? {} : { fetch: s.fetch }) })
  return {
    channel: profile.channel,
    label: profile.label,
    capabilities: profile.capabilities,
    webhook: {
      maxBytes: MAX_META_MESSAGING_WEBHOOK_BYTES,
      format: "json",
      handshake: (query) => metaHandshake(query, s.verifyToken, s.verifyTokenVariable),
      verify: (request) => verifyMetaSignature(request, s.appSecret, s.appSecretVariable),
      parse: (body) => parseMessagingWebhook(profile, body, { ownAppId: s.appId })
    },
    validateOutbound: (content) => validateMetaOutbound(profile, content),
    sender: api === undefined ? undefined : makeMetaSender(profile, api, s.humanAgent, profile.upload !== undefined),
    ...(profile.upload === undefined ? {} : {
      upload: { maxBytes: profile.upload.maxBytes, accepts: (mimeType: string) => profile.upload!.mimeTypes.includes(mimeType), defaultAccountId: "me" }
    }),
    sendRequires: s.tokenVariable,
    startNotice: startNotice(profile, s)
  }
}
