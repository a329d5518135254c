/**
 * Agents' replies by SMS: `POST {TWILIO_API_URL}/2010-04-01/Accounts/{AccountSid}/Messages.json`,
 * form-encoded `To`, `From` (or `MessagingServiceSid`), `Body` and `StatusCallback`, with HTTP
 * Basic auth (AccountSid:AuthToken); Twilio answers `201 { sid, status, … }` or
 * `{ code, message, more_info, status }`. Text only; up to 1,600 characters, which Twilio splits
 * into segments itself (segments.ts says how many a text costs).
 */
import type { OutboundContent, OutboundRequest } from "../../domain/Outbound.ts"
import { type ChannelSender, type OutboundProblem, ProviderError, type SendFailure } from "../ChannelAdapter.ts"
import { failureOf } from "./errors.ts"
import { smsSegments } from "./segments.ts"

/** Twilio's limit for `Body` (https://www.twilio.com/docs/messaging/api/message-resource). */
export const SMS_MAX_LENGTH = 1600

const E164 = /^\+[1-9]\d{6,14}$/

export function validateSmsOutbound(content: OutboundContent): Array<OutboundProblem> {
  if (content.type !== "text") return [{ path: "type", message: `type ${content.type} cannot be sent by SMS; send text` }]
  if (content.text.trim() === "") return [{ path: "text", message: "text is empty; an SMS needs at least one visible character" }]
  // Twilio counts UTF-16 units: an emoji takes two of the 1,600.
  if (content.text.length > SMS_MAX_LENGTH) {
    const { segments, encoding } = smsSegments(content.text)
    return [{
      path: "text",
      message: `text is ${content.text.length} characters (emoji count as two); an SMS allows at most ${SMS_MAX_LENGTH}, sent as up to ${Math.ceil(SMS_MAX_LENGTH / (encoding === "GSM-7" ? 153 : 67))} segments (this one would be ${segments} ${encoding} segments) — split it into several messages`
    }]
  }
  return []
}

export interface TwilioSenderOptions {
  readonly apiUrl: string
  readonly accountSid: string
  readonly authToken: string
  /** `+3197010…` or a Messaging Service SID `MG…`. */
  readonly from: string
  /** `LOKET_PUBLIC_URL`: status callbacks go to `<publicUrl>/webhooks/sms`; without it Twilio sends none. */
  readonly publicUrl: string | undefined
  readonly timeoutMs?: number
  readonly fetch?: typeof fetch
}

/** The form fields of one send (validated before). */
export function toMessageForm(request: OutboundRequest, options: Pick<TwilioSenderOptions, "from" | "publicUrl">): URLSearchParams {
  const content = request.content
  if (content.type !== "text") throw new Error(`SMS cannot send ${content.type} messages`)
  const to = request.to.waId === null ? null : `+${request.to.waId}`
  if (to === null || !E164.test(to)) throw new Error("the resident has no phone number in E.164")
  const form = new URLSearchParams({ To: to })
  if (options.from.startsWith("MG")) form.set("MessagingServiceSid", options.from)
  // Reply from the number the resident texted (the conversation's account), else TWILIO_FROM.
  else form.set("From", E164.test(request.channelAccountId) ? request.channelAccountId : options.from)
  form.set("Body", content.text)
  if (options.publicUrl !== undefined) form.set("StatusCallback", `${options.publicUrl}/webhooks/sms`)
  return form
}

export class TwilioError extends ProviderError {
  constructor(failure: SendFailure) {
    super("Twilio Messages API", failure)
    this.name = "TwilioError"
  }
}

/** `Authorization: Basic base64(AccountSid:AuthToken)`. */
export const basicAuth = (accountSid: string, authToken: string) => `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`

export function makeTwilioSender(options: TwilioSenderOptions): ChannelSender {
  const doFetch = options.fetch ?? fetch
  const timeoutMs = options.timeoutMs ?? 15_000
  const url = `${options.apiUrl}/2010-04-01/Accounts/${options.accountSid}/Messages.json`
  const authorization = basicAuth(options.accountSid, options.authToken)
  return {
    async send(request) {
      let form: URLSearchParams
      try {
        form = toMessageForm(request, options)
      } catch (error) {
        throw new TwilioError({ retryable: false, code: "invalid_request", title: error instanceof Error ? error.message : String(error), tokenExpired: false, retryAfterMs: null })
      }
      let response: Response
      let answer: unknown
      try {
        response = await doFetch(url, {
          method: "POST",
          headers: { authorization, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: form.toString(),
          signal: AbortSignal.timeout(timeoutMs)
        })
        answer = await response.json().catch(() => undefined)
      } catch (error) {
        const reason = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : "the Messages API could not be reached"
        throw new TwilioError({ retryable: true, code: "network", title: reason, tokenExpired: false, retryAfterMs: null })
      }
      const sid = typeof answer === "object" && answer !== null ? (answer as { sid?: unknown }).sid : undefined
      if (response.ok && typeof sid === "string" && sid !== "") return { providerMessageId: sid }
      if (response.ok) throw new TwilioError({ retryable: false, code: "unexpected_answer", title: "the Messages API answered without a sid", tokenExpired: false, retryAfterMs: null })
      throw new TwilioError(failureOf(response.status, answer, response.headers.get("retry-after")))
    }
  }
}
