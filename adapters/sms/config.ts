/** SMS through a Twilio-compatible API: its environment variables (CONTRACT.md "More channels"), read with Effect Config. */
import { Config as C, Option, Redacted, Schema } from "effect"

/** `AC` and 32 hex digits, as the Twilio Console shows the Account SID. */
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/
/** A Twilio-compatible provider's auth token: printable, no spaces. */
const AUTH_TOKEN = /^[\x21-\x7e]{8,256}$/
/** The sender: an E.164 number (`+3197010…`), or a Messaging Service (`MG` and 32 hex digits). */
const FROM = /^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/

const optional = (name: string, pattern: RegExp, message: string) =>
  C.option(C.schema(Schema.String.check(Schema.isPattern(pattern, { message })), name)).pipe(
    C.map((o) => (Option.isSome(o) && o.value !== "" ? o.value : undefined))
  )

export const SmsConfig = C.all({
  accountSid: optional("TWILIO_ACCOUNT_SID", ACCOUNT_SID, "expected the Account SID from the Twilio Console: AC followed by 32 hexadecimal digits"),
  authToken: optional("TWILIO_AUTH_TOKEN", AUTH_TOKEN, "expected the Auth Token from the Twilio Console: 8 to 256 characters without spaces").pipe(
    C.map((token) => (token === undefined ? undefined : Redacted.make(token)))
  ),
  from: optional("TWILIO_FROM", FROM, "expected the municipality's SMS number in E.164 (+3197010…) or a Messaging Service SID (MG followed by 32 hexadecimal digits)"),
  apiUrl: C.URL("TWILIO_API_URL").pipe(
    C.withDefault(new URL("https://api.twilio.com")),
    C.map((u) => u.href.replace(/\/+$/, ""))
  ),
  /** The same variable the gateway reads: the status callback URL Twilio is given is built from it. */
  publicUrl: C.option(C.URL("LOKET_PUBLIC_URL")).pipe(C.map((o) => (Option.isSome(o) ? o.value.href.replace(/\/+$/, "") : undefined)))
})

export type SmsSettings = C.Success<typeof SmsConfig>
