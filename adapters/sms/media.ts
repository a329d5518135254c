/**
 * Residents' MMS pictures for agents: `GET {TWILIO_API_URL}/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}`
 * with HTTP Basic auth streams the file (Twilio redirects to its storage). Loket's media id is
 * `sms:<MessageSid>:<MediaSid>`, taken from `MediaUrl<n>` of the inbound post.
 */
import type { ChannelFile, ChannelMedia, ChannelMediaFailure } from "../ChannelAdapter.ts"
import { basicAuth } from "./send.ts"

const MEDIA_ID = /^sms:([A-Za-z0-9_-]{1,64}):(ME[0-9a-fA-F]{32})$/

const fail = (status: ChannelMediaFailure["status"], code: string, message: string): ChannelMediaFailure => ({ status, code, message })

export interface TwilioMediaOptions {
  readonly apiUrl: string
  readonly credentials: { readonly accountSid: string; readonly authToken: string } | undefined
  readonly timeoutMs?: number
}

export function makeTwilioMedia(options: TwilioMediaOptions): ChannelMedia {
  return {
    owns: (id) => MEDIA_ID.test(id),
    idFormat: "sms:<MessageSid>:<MediaSid> (SMS)",
    async fetch(id): Promise<ChannelFile> {
      const match = MEDIA_ID.exec(id)
      if (match === null) throw fail(404, "media_not_found", "Not an SMS media id.")
      const credentials = options.credentials
      if (credentials === undefined) throw fail(503, "channel_not_configured", "SMS is not configured on this Loket: an administrator must set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to fetch media.")
      const url = `${options.apiUrl}/2010-04-01/Accounts/${credentials.accountSid}/Messages/${match[1]}/Media/${match[2]}`
      const response = await fetch(url, {
        headers: { authorization: basicAuth(credentials.accountSid, credentials.authToken) },
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000)
      }).catch(() => undefined)
      if (response === undefined || response.body === null) throw fail(502, "media_unavailable", "The file could not be fetched from Twilio; try again later.")
      if (!response.ok) {
        // Not awaited: a cancelled stream may never settle (seen with intercepted responses); the answer is decided.
        void response.body.cancel().catch(() => undefined)
        if (response.status === 404) throw fail(404, "media_not_found", "Twilio does not know this file (deleted, or another account's).")
        if (response.status === 401) throw fail(502, "channel_token_expired", "Twilio refused Loket's credentials: an administrator must check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")
        throw fail(502, "media_unavailable", "The file could not be fetched from Twilio; try again later.")
      }
      const length = Number(response.headers.get("content-length"))
      return {
        body: response.body,
        mimeType: response.headers.get("content-type")?.split(";")[0]?.trim() || "application/octet-stream",
        size: Number.isSafeInteger(length) && length > 0 ? length : null,
        filename: null
      }
    }
  }
}
