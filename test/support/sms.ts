/** Twilio's form posts as Twilio sends them (signed with X-Twilio-Signature), for a gateway under test. */
import { randomBytes } from "node:crypto"
import { sortedFields, twilioSignature } from "../../adapters/sms/signature.ts"

export const ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2)
export const AUTH_TOKEN = "test-twilio-auth-token-0123456789"
export const MUNICIPALITY_NUMBER = "+3197010123456"
export const TWILIO_API = "https://twilio.test"
/** What the operator sets behind the proxy: Twilio signs this URL, not the loopback one. */
export const PUBLIC_URL = "https://loket.gemeente.test"

export const newSid = (prefix: "SM" | "MM" | "ME" = "SM") => `${prefix}${randomBytes(16).toString("hex")}`

let nextNumber = 612_000_000
/** A resident's mobile number in E.164. */
export const newResidentNumber = () => `+31${++nextNumber}`

/** A resident's SMS as Twilio posts it to the number's "A message comes in" webhook. */
export function inboundSms(from: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  const sid = extra.MessageSid ?? newSid(extra.NumMedia !== undefined && extra.NumMedia !== "0" ? "MM" : "SM")
  return {
    ToCountry: "NL", ToState: "", SmsMessageSid: sid, NumMedia: "0", ToCity: "", FromZip: "", SmsSid: sid, FromState: "",
    SmsStatus: "received", FromCity: "", Body: body, FromCountry: "NL", To: MUNICIPALITY_NUMBER, ToZip: "", NumSegments: "1",
    MessageSid: sid, AccountSid: ACCOUNT_SID, From: from, ApiVersion: "2010-04-01", ...extra
  }
}

/** A status callback for an outbound message, as Twilio posts it to the StatusCallback URL. */
export function statusCallback(sid: string, to: string, status: string, extra: Record<string, string> = {}): Record<string, string> {
  return { SmsSid: sid, SmsStatus: status, MessageStatus: status, To: to, MessageSid: sid, AccountSid: ACCOUNT_SID, From: MUNICIPALITY_NUMBER, ApiVersion: "2010-04-01", ...extra }
}

export interface PostOptions {
  /** The URL Twilio signs; default PUBLIC_URL + /webhooks/sms. */
  readonly signedUrl?: string
  readonly token?: string
  /** null: no header; a string: that header instead of the right one. */
  readonly signature?: string | null
  /** A query string on the webhook URL, as configured in the Console (`?gemeente=utrecht`). */
  readonly query?: string
}

export function postTwilio(gatewayUrl: string, fields: Record<string, string> | string, options: PostOptions = {}) {
  const body = typeof fields === "string" ? fields : new URLSearchParams(fields).toString()
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", "user-agent": "TwilioProxy/1.1" }
  const signature = options.signature === undefined
    ? twilioSignature(options.token ?? AUTH_TOKEN, options.signedUrl ?? `${PUBLIC_URL}/webhooks/sms${options.query ?? ""}`, sortedFields(body))
    : options.signature
  if (signature !== null) headers["x-twilio-signature"] = signature
  return fetch(`${gatewayUrl}/webhooks/sms${options.query ?? ""}`, { method: "POST", headers, body })
}

export const smsEnv = (extra: Record<string, string> = {}) => ({
  TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: MUNICIPALITY_NUMBER, TWILIO_API_URL: TWILIO_API,
  LOKET_PUBLIC_URL: PUBLIC_URL, ...extra
})
