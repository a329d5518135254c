/**
 * A stand-in for Twilio's Messages API, checked against its documented format
 * (https://www.twilio.com/docs/messaging/api/message-resource):
 * `POST <api>/2010-04-01/Accounts/<AccountSid>/Messages.json`, HTTP Basic auth
 * (AccountSid:AuthToken), `application/x-www-form-urlencoded` with `To` (E.164), exactly one of
 * `From` (E.164) and `MessagingServiceSid`, `Body` of 1 to 1,600 characters, optional
 * `StatusCallback` (an absolute URL); answered `201` with a Message resource. MMS media:
 * `GET …/Messages/<sid>/Media/<MediaSid>`.
 *
 * A deviation is recorded in `problems` and answered like Twilio (`400 { code, message,
 * more_info, status }`; wrong credentials `401` code 20003); call `assertValid()` after each
 * test. `script(...)` queues answers consumed in order, then success.
 */
import { randomBytes } from "node:crypto"
import { http, HttpResponse, type HttpHandler } from "msw"

const E164 = /^\+[1-9]\d{6,14}$/
const DOCUMENTED = [
  "To", "From", "MessagingServiceSid", "Body", "MediaUrl", "ContentSid", "ContentVariables", "StatusCallback", "ApplicationSid",
  "MaxPrice", "ProvideFeedback", "Attempt", "ValidityPeriod", "ForceDelivery", "ContentRetention", "AddressRetention",
  "SmartEncoded", "PersistentAction", "TrafficType", "ShortenUrls", "ScheduleType", "SendAt", "SendAsMms", "RiskCheck"
]

export interface TwilioCall {
  readonly sid: string
  readonly fields: Record<string, string>
  readonly at: number
}

export interface ScriptedAnswer {
  readonly status: number
  readonly body: Record<string, unknown>
  readonly headers?: Record<string, string>
}

/** Twilio's error body. */
export const twilioError = (status: number, code: number, message: string, headers?: Record<string, string>): ScriptedAnswer => ({
  status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, ...(headers === undefined ? {} : { headers })
})

/** Every way a Messages API form departs from the documented format (empty: fine). */
export function checkMessageForm(fields: Record<string, string>, repeated: ReadonlyArray<string>): Array<string> {
  const problems: Array<string> = []
  const add = (text: string) => void problems.push(text)
  for (const key of Object.keys(fields)) if (!DOCUMENTED.includes(key)) add(`${key} is not a documented Message parameter`)
  for (const key of repeated) if (key !== "MediaUrl") add(`${key} appears more than once`)
  if (fields.To === undefined) add("To is required")
  else if (!E164.test(fields.To)) add(`To must be E.164 (+ and up to 15 digits), got ${JSON.stringify(fields.To)}`)
  const hasFrom = fields.From !== undefined
  const hasService = fields.MessagingServiceSid !== undefined
  if (hasFrom === hasService) add("exactly one of From and MessagingServiceSid is required")
  if (hasFrom && !E164.test(fields.From!)) add(`From must be E.164, got ${JSON.stringify(fields.From)}`)
  if (hasService && !/^MG[0-9a-fA-F]{32}$/.test(fields.MessagingServiceSid!)) add("MessagingServiceSid must be MG and 32 hex digits")
  if (fields.Body === undefined && fields.MediaUrl === undefined && fields.ContentSid === undefined) add("Body, MediaUrl or ContentSid is required")
  if (fields.Body !== undefined && (fields.Body.length === 0 || fields.Body.length > 1600)) add(`Body must be 1 to 1600 characters, got ${fields.Body.length}`)
  if (fields.StatusCallback !== undefined && !/^https?:\/\/[^/]+/.test(fields.StatusCallback)) add("StatusCallback must be an absolute URL")
  return problems
}

export interface TwilioMockOptions {
  readonly apiUrl: string
  readonly accountSid: string
  readonly authToken: string
  /** MMS files the Media resource serves: MediaSid → bytes and content type. */
  readonly media?: Record<string, { readonly bytes: Uint8Array; readonly contentType: string }>
}

export function twilioMock(options: TwilioMockOptions) {
  const calls: Array<TwilioCall> = []
  const problems: Array<string> = []
  const queue: Array<ScriptedAnswer> = []
  const expected = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString("base64")}`
  const unauthorized = () => HttpResponse.json({ code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 }, { status: 401 })

  const create = http.post(`${options.apiUrl}/2010-04-01/Accounts/:account/Messages.json`, async ({ request, params }) => {
    if (String(params.account) !== options.accountSid) {
      problems.push(`the path names account ${String(params.account)}, not TWILIO_ACCOUNT_SID`)
      return unauthorized()
    }
    if (request.headers.get("authorization") !== expected) return unauthorized()
    if (!(request.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) problems.push("content-type must be application/x-www-form-urlencoded")
    const params_ = new URLSearchParams(await request.text())
    const keys = [...params_.keys()]
    const repeated = keys.filter((key, n) => keys.indexOf(key) !== n)
    const fields = Object.fromEntries(params_)
    const found = checkMessageForm(fields, repeated)
    if (found.length > 0) {
      problems.push(...found)
      const code = found.some((p) => p.startsWith("To ")) ? 21211 : found.some((p) => p.startsWith("Body must")) ? 21617 : 21602
      return HttpResponse.json(twilioError(400, code, found[0]!).body, { status: 400 })
    }
    const sid = `SM${randomBytes(16).toString("hex")}`
    calls.push({ sid, fields, at: performance.now() })
    const scripted = queue.shift()
    if (scripted !== undefined) return HttpResponse.json(scripted.body, { status: scripted.status, headers: scripted.headers ?? {} })
    const now = new Date().toUTCString()
    return HttpResponse.json({
      sid, account_sid: options.accountSid, api_version: "2010-04-01", body: fields.Body, date_created: now, date_sent: null, date_updated: now,
      direction: "outbound-api", error_code: null, error_message: null, from: fields.From ?? null, messaging_service_sid: fields.MessagingServiceSid ?? null,
      num_media: "0", num_segments: "1", price: null, price_unit: "EUR", status: "queued", subresource_uris: { media: `/2010-04-01/Accounts/${options.accountSid}/Messages/${sid}/Media.json` },
      to: fields.To, uri: `/2010-04-01/Accounts/${options.accountSid}/Messages/${sid}.json`
    }, { status: 201 })
  })

  const media = http.get(`${options.apiUrl}/2010-04-01/Accounts/:account/Messages/:message/Media/:media`, ({ request, params }) => {
    if (String(params.account) !== options.accountSid || request.headers.get("authorization") !== expected) return unauthorized()
    const file = options.media?.[String(params.media)]
    if (file === undefined) return HttpResponse.json({ code: 20404, message: "The requested resource was not found", status: 404 }, { status: 404 })
    return new HttpResponse(file.bytes, { status: 200, headers: { "content-type": file.contentType, "content-length": String(file.bytes.length) } })
  })

  return {
    handlers: [create, media] as Array<HttpHandler>,
    calls,
    problems,
    /** Queues answers for the next sends, consumed in order (then: success). */
    script: (...answers: Array<ScriptedAnswer>) => void queue.push(...answers),
    sentTo: (e164: string) => calls.filter((c) => c.fields.To === e164),
    assertValid: () => {
      if (problems.length > 0) throw new Error(`Messages API requests departed from the documented format:\n${problems.join("\n")}`)
    }
  }
}
