/**
 * SMS through a Twilio-compatible API: the channel module adapters/registry.ts lists.
 * Webhook: one form-encoded route, `/webhooks/sms`, for residents' messages and the status
 * callbacks of replies, signed with `X-Twilio-Signature`. No messaging window; text only out
 * (MMS pictures in); delivery statuses from the status callbacks (docs/channels/sms.md).
 */
import { Redacted } from "effect"
import { type ChannelAdapter, type ChannelCapabilities, defineChannel } from "../ChannelAdapter.ts"
import { SmsConfig, type SmsSettings } from "./config.ts"
import { makeTwilioMedia } from "./media.ts"
import { parseTwilioWebhook } from "./parse.ts"
import { makeTwilioSender, SMS_MAX_LENGTH, validateSmsOutbound } from "./send.ts"
import { SIGNATURE_HEADER, verifyTwilioSignature } from "./signature.ts"

export { parseTwilioWebhook } from "./parse.ts"
export { type SmsSegments, smsSegments } from "./segments.ts"
export { toMessageForm, validateSmsOutbound } from "./send.ts"
export { twilioSignature, verifyTwilioSignature } from "./signature.ts"

/** Twilio's posts are a few KiB even with ten MMS URLs; 64 KiB leaves room for a 1,600-character text in UTF-8. */
export const MAX_SMS_WEBHOOK_BYTES = 64 * 1024

export const SMS_CAPABILITIES: ChannelCapabilities = {
  window: { kind: "none" },
  content: ["text"],
  templates: false,
  maxTextLength: SMS_MAX_LENGTH
}

function startNotice(s: SmsSettings): string | null {
  if (s.accountSid === undefined && s.authToken === undefined && s.from === undefined) {
    return "SMS is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM to use it (docs/channels/sms.md)."
  }
  const missing = [
    ...(s.authToken === undefined ? ["TWILIO_AUTH_TOKEN (webhooks are refused, replies cannot be sent)"] : []),
    ...(s.accountSid === undefined ? ["TWILIO_ACCOUNT_SID (replies cannot be sent)"] : []),
    ...(s.from === undefined ? ["TWILIO_FROM (replies cannot be sent)"] : []),
    ...(s.publicUrl === undefined ? ["LOKET_PUBLIC_URL (Twilio gets no status callback URL: replies stay sent, never delivered)"] : [])
  ]
  return missing.length === 0 ? null : `SMS is not fully configured: ${missing.join("; ")}.`
}

export function makeSmsAdapter(s: SmsSettings): ChannelAdapter {
  const authToken = s.authToken === undefined ? undefined : Redacted.value(s.authToken)
  const credentials = s.accountSid === undefined || authToken === undefined ? undefined : { accountSid: s.accountSid, authToken }
  return {
    channel: "sms",
    label: "SMS",
    capabilities: SMS_CAPABILITIES,
    webhook: {
      maxBytes: MAX_SMS_WEBHOOK_BYTES,
      format: "form",
      verify: ({ raw, headers, url }) => verifyTwilioSignature(headers.get(SIGNATURE_HEADER), authToken, url, raw),
      parse: (body) => parseTwilioWebhook(body)
    },
    validateOutbound: validateSmsOutbound,
    sender: credentials === undefined || s.from === undefined
      ? undefined
      : makeTwilioSender({ apiUrl: s.apiUrl, ...credentials, from: s.from, publicUrl: s.publicUrl }),
    sendRequires: "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM",
    media: makeTwilioMedia({ apiUrl: s.apiUrl, credentials }),
    startNotice: startNotice(s)
  }
}

/** The SMS channel, as adapters/registry.ts lists it. */
export const smsChannel = defineChannel({
  channel: "sms",
  label: "SMS",
  capabilities: SMS_CAPABILITIES,
  config: SmsConfig,
  make: makeSmsAdapter
})
