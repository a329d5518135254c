/**
 * Twilio's error codes as the outbox and agents need them (https://www.twilio.com/docs/api/errors).
 * Titles are Twilio's own, in English, and name no resident.
 */
import type { SendFailure } from "../ChannelAdapter.ts"

const TITLES: Record<string, string> = {
  "20003": "Authentication failed (Account SID or Auth Token)",
  "20404": "The requested resource was not found",
  "20429": "Too many requests",
  "21211": "Invalid 'To' phone number",
  "21408": "Permission to send an SMS has not been enabled for the region",
  "21606": "The 'From' phone number is not a valid, SMS-capable number for this account",
  "21610": "The resident has unsubscribed (replied STOP)",
  "21612": "The 'To' number cannot be reached from this 'From' number",
  "21614": "'To' number is not a valid mobile number",
  "21617": "The message body exceeds the 1,600 character limit",
  "30001": "Queue overflow",
  "30002": "Account suspended",
  "30003": "Unreachable destination handset",
  "30004": "Message blocked",
  "30005": "Unknown destination handset",
  "30006": "Landline or unreachable carrier",
  "30007": "Message filtered by the carrier",
  "30008": "Unknown error",
  "30010": "Message price exceeds max price"
}

/** A title for a failed status: Twilio's for a known code, else what Twilio's status said. */
export function errorTitle(code: string | null, status: string): string {
  if (code !== null && TITLES[code] !== undefined) return TITLES[code]
  return code === null ? `Twilio reported the message ${status}` : `Twilio error ${code}: message ${status}`
}

/**
 * What an answer of the Messages API means for the outbox: 20003 (401) is a rejected
 * credential, 20429/429 and 5xx are retried, every other 4xx (21211 invalid To, 21610
 * unsubscribed, …) is final, with Twilio's code.
 */
export function failureOf(status: number, body: unknown, retryAfterHeader: string | null): SendFailure {
  const answer = typeof body === "object" && body !== null ? body as { code?: unknown; message?: unknown } : {}
  const code = typeof answer.code === "number" ? answer.code : status
  const known = TITLES[String(code)]
  // Twilio's `message` may quote the number sent to: only the known title, or the HTTP status, goes on.
  const title = known ?? `Twilio answered HTTP ${status}${typeof answer.code === "number" ? ` with error ${answer.code}` : ""}`
  const seconds = retryAfterHeader !== null && /^\d{1,5}$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null
  if (code === 20429 || status === 429) return { retryable: true, code, title, tokenExpired: false, retryAfterMs: seconds === null ? 1000 : seconds * 1000 }
  if (status >= 500) return { retryable: true, code, title, tokenExpired: false, retryAfterMs: seconds === null ? null : seconds * 1000 }
  if (code === 20003 || status === 401) return { retryable: false, code, title, tokenExpired: true, retryAfterMs: null }
  return { retryable: false, code, title, tokenExpired: false, retryAfterMs: null }
}
