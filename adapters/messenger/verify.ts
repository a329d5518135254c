/**
 * Is this webhook really from Meta? `X-Hub-Signature-256` over the raw body with the app secret
 * (the same check as WhatsApp's, adapters/whatsapp-cloud/verify.ts), and the GET subscription
 * handshake with the channel's verify token.
 */
import { Redacted } from "effect"
import type { HandshakeResult, Verification, WebhookRequest } from "../ChannelAdapter.ts"
import { verifyHandshake, verifySignature } from "../whatsapp-cloud/verify.ts"

export function verifyMetaSignature(request: WebhookRequest, secret: Redacted.Redacted<string> | undefined, variable: string): Verification {
  const value = secret === undefined ? "" : Redacted.value(secret)
  if (value === "") return { ok: false, code: "channel_not_configured", message: `${variable} is not set` }
  return verifySignature(request.raw, request.headers.get("x-hub-signature-256"), value)
}

export function metaHandshake(query: URLSearchParams, verifyToken: Redacted.Redacted<string> | undefined, variable: string): HandshakeResult {
  if (verifyToken === undefined) return { ok: false, message: `${variable} is not set` }
  const challenge = verifyHandshake(
    { mode: query.get("hub.mode"), token: query.get("hub.verify_token"), challenge: query.get("hub.challenge") },
    Redacted.value(verifyToken)
  )
  return challenge === null ? { ok: false, message: `hub.mode must be subscribe and hub.verify_token must match ${variable}` } : { ok: true, body: challenge }
}
