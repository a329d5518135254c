/**
 * Is this webhook really from Twilio? `X-Twilio-Signature` is
 * base64(HMAC-SHA1(auth token, full URL + each POST field's name and value, sorted by name)),
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security. The URL is the one Twilio
 * called (`LOKET_PUBLIC_URL` + path + query behind a proxy). Twilio's own libraries also accept
 * the URL with the default port added or removed (Twilio signs some with `:443`): so does Loket.
 * Compared in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto"
import type { Verification } from "../ChannelAdapter.ts"

export const SIGNATURE_HEADER = "x-twilio-signature"

/** The form fields of a body, in the order Twilio signs them: by name, then by value for repeated names. */
export function sortedFields(form: string): Array<[string, string]> {
  const pairs = [...new URLSearchParams(form).entries()]
  return pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
}

/** The signature Twilio sends for `url` and these fields. */
export function twilioSignature(authToken: string, url: string, fields: ReadonlyArray<readonly [string, string]>): string {
  const hmac = createHmac("sha1", authToken).update(url, "utf8")
  for (const [name, value] of fields) hmac.update(name, "utf8").update(value, "utf8")
  return hmac.digest("base64")
}

/** `url`, and the same URL with its default port (443, 80) written out or left off. */
export function urlVariants(url: string): Array<string> {
  const match = /^(https?):\/\/([^/?#]*)(.*)$/is.exec(url)
  if (match === null) return [url]
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string]
  const defaultPort = scheme.toLowerCase() === "https" ? "443" : "80"
  if (authority.endsWith(`:${defaultPort}`)) return [url, `${scheme}://${authority.slice(0, -defaultPort.length - 1)}${rest}`]
  if (/:\d+$/.test(authority)) return [url]
  return [url, `${scheme}://${authority}:${defaultPort}${rest}`]
}

/** Hashing first gives equal-length buffers for any input, so the comparison leaks no length. */
const digest = (text: string) => createHash("sha256").update(text, "utf8").digest()

const BASE64_SHA1 = /^[A-Za-z0-9+/]{27}=$/

export function verifyTwilioSignature(header: string | null, authToken: string | undefined, url: string, raw: Uint8Array): Verification {
  if (authToken === undefined || authToken === "") {
    return { ok: false, code: "channel_not_configured", message: "TWILIO_AUTH_TOKEN is not set" }
  }
  if (header === null || header === "") return { ok: false, code: "signature_missing", message: "X-Twilio-Signature header is missing" }
  if (!BASE64_SHA1.test(header)) {
    return { ok: false, code: "signature_malformed", message: "X-Twilio-Signature must be a base64 HMAC-SHA1 (28 characters ending in =)" }
  }
  const fields = sortedFields(new TextDecoder().decode(raw))
  const given = digest(header)
  let ok = false
  for (const variant of urlVariants(url)) ok = timingSafeEqual(given, digest(twilioSignature(authToken, variant, fields))) || ok
  return ok
    ? { ok: true }
    : {
      ok: false,
      code: "signature_invalid",
      message: "X-Twilio-Signature does not match TWILIO_AUTH_TOKEN over the URL and form fields; behind a proxy, set LOKET_PUBLIC_URL to the address Twilio calls"
    }
}
