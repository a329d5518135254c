/**
 * A stand-in for Meta's Send API (Messenger Platform, used by Messenger and Instagram), checked
 * against its documented format: `POST {api}/me/messages` (or `/{account-id}/messages`) with the
 * token as `Authorization: Bearer`, a JSON body with `recipient.id` and either `message` (text ≤
 * 2,000 characters on Messenger / 1,000 on Instagram, or an attachment by `url` or
 * `attachment_id`, optional `quick_replies` ≤ 13 with titles ≤ 20 characters, `metadata` ≤ 1,000)
 * with `messaging_type` RESPONSE / UPDATE / MESSAGE_TAG (a tag only with MESSAGE_TAG, and only
 * `HUMAN_AGENT`: the others were retired in April 2026), or a `sender_action`.
 *
 * A deviation is recorded in `problems` and answered like Meta (400 `OAuthException` code 100);
 * a wrong token 401 code 190. `script(...)` queues answers consumed in order, then success
 * (`{ recipient_id, message_id }`). Call `assertValid()` after each test.
 */
import { http, HttpResponse, type HttpHandler } from "msw"

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)
const chars = (text: string) => Array.from(text).length

const MESSAGING_TYPES = ["RESPONSE", "UPDATE", "MESSAGE_TAG"]
const ATTACHMENT_TYPES = ["image", "video", "audio", "file", "template"]
const SENDER_ACTIONS = ["typing_on", "typing_off", "mark_seen", "react", "unreact"]

export interface SendApiCheck {
  readonly maxText: number
  /** Instagram: sender actions react / unreact take `payload.message_id` (and `reaction: "love"`). */
  readonly reactions: boolean
}

/** Every way a Send API body departs from Meta's documented format (empty: fine). */
export function checkSendApiBody(body: unknown, check: SendApiCheck): Array<string> {
  const problems: Array<string> = []
  const add = (text: string) => void problems.push(text)
  if (!isObject(body)) return ["the body is not a JSON object"]
  for (const key of Object.keys(body)) {
    if (!["recipient", "messaging_type", "tag", "message", "sender_action", "payload", "notification_type"].includes(key)) add(`${key} is not a documented Send API field`)
  }
  const recipient = body.recipient
  if (!isObject(recipient) || typeof recipient.id !== "string" || !/^\d+$/.test(recipient.id)) add(`recipient.id must be the PSID / IGSID as a string of digits, got ${JSON.stringify(recipient)}`)
  if (body.sender_action !== undefined) {
    if (!SENDER_ACTIONS.includes(String(body.sender_action))) add(`sender_action ${JSON.stringify(body.sender_action)} is not documented`)
    if (body.message !== undefined) add("sender_action cannot be sent together with message")
    if (body.sender_action === "react" || body.sender_action === "unreact") {
      if (!check.reactions) add("this API has no react sender action")
      const payload = body.payload
      if (!isObject(payload) || typeof payload.message_id !== "string" || payload.message_id === "") add("react/unreact need payload.message_id")
      else if (body.sender_action === "react" && payload.reaction !== "love") add(`payload.reaction must be "love", got ${JSON.stringify(payload.reaction)}`)
    }
    return problems
  }
  const type = body.messaging_type
  if (!MESSAGING_TYPES.includes(String(type))) add(`messaging_type must be one of ${MESSAGING_TYPES.join(", ")}, got ${JSON.stringify(type)}`)
  if (type === "MESSAGE_TAG") {
    if (body.tag !== "HUMAN_AGENT") add(`tag must be HUMAN_AGENT (the other tags were retired), got ${JSON.stringify(body.tag)}`)
  } else if (body.tag !== undefined) add("tag is only allowed with messaging_type MESSAGE_TAG")
  const message = body.message
  if (!isObject(message)) return [...problems, "message must be an object"]
  for (const key of Object.keys(message)) if (!["text", "attachment", "quick_replies", "metadata"].includes(key)) add(`message.${key} is not documented`)
  const hasText = message.text !== undefined
  const hasAttachment = message.attachment !== undefined
  if (hasText === hasAttachment) add("message needs exactly one of text and attachment")
  if (hasText) {
    if (typeof message.text !== "string" || message.text === "") add("message.text must be a non-empty string")
    else if (chars(message.text) > check.maxText) add(`message.text is ${chars(message.text)} characters, over ${check.maxText}`)
  }
  if (hasAttachment) {
    const a = message.attachment
    if (!isObject(a) || !ATTACHMENT_TYPES.includes(String(a.type))) add(`message.attachment.type must be one of ${ATTACHMENT_TYPES.join(", ")}`)
    const payload = isObject(a) ? a.payload : undefined
    if (!isObject(payload)) add("message.attachment.payload must be an object")
    else {
      const byUrl = typeof payload.url === "string" && /^https:\/\//.test(payload.url)
      const byId = typeof payload.attachment_id === "string" && /^\d+$/.test(payload.attachment_id)
      if (byUrl === byId) add("message.attachment.payload needs an https url or an attachment_id, not both")
    }
  }
  if (message.quick_replies !== undefined) {
    const q = message.quick_replies
    if (!Array.isArray(q) || q.length < 1 || q.length > 13) add("message.quick_replies must hold 1 to 13 quick replies")
    else {
      q.forEach((item, n) => {
        if (!isObject(item) || item.content_type !== "text") return add(`quick_replies[${n}].content_type must be text`)
        if (typeof item.title !== "string" || item.title === "" || chars(item.title) > 20) add(`quick_replies[${n}].title must be 1 to 20 characters`)
        if (typeof item.payload !== "string" || item.payload === "" || chars(item.payload) > 1000) add(`quick_replies[${n}].payload must be 1 to 1000 characters`)
      })
    }
  }
  if (message.metadata !== undefined && (typeof message.metadata !== "string" || chars(message.metadata) > 1000)) add("message.metadata must be a string of at most 1000 characters")
  return problems
}

export interface SendApiCall {
  readonly body: Json
  readonly at: number
}

export interface ScriptedAnswer {
  readonly status: number
  readonly body: Json
}

/** Meta's error body. */
export const graphError = (status: number, code: number, message: string, subcode?: number): ScriptedAnswer => ({
  status, body: { error: { message, type: "OAuthException", code, ...(subcode === undefined ? {} : { error_subcode: subcode }), fbtrace_id: "AbCdEf123" } }
})

export interface SendApiMockOptions extends SendApiCheck {
  /** Base URL, version included. */
  readonly apiUrl: string
  readonly token: string
  /** Prefix of the message ids it hands out ("m_", "aWdf…" on Instagram). */
  readonly midPrefix: string
}

export function metaSendApiMock(options: SendApiMockOptions) {
  const calls: Array<SendApiCall> = []
  const problems: Array<string> = []
  const queue: Array<ScriptedAnswer> = []
  let hold: Promise<void> | undefined
  let next = 1
  const refuse = (message: string) => HttpResponse.json(graphError(400, 100, message).body, { status: 400 })

  const send = http.post(`${options.apiUrl}/:account/messages`, async ({ request }) => {
    if (request.headers.get("authorization") !== `Bearer ${options.token}`) {
      if (new URL(request.url).searchParams.has("access_token")) problems.push("the token is in the URL; send it as Authorization: Bearer")
      return HttpResponse.json(graphError(401, 190, "Invalid OAuth access token - Cannot parse access token").body, { status: 401 })
    }
    if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) problems.push("content-type must be application/json")
    let body: unknown
    try {
      body = await request.json()
    } catch {
      problems.push("the body is not JSON")
      return refuse("(#100) The body is not JSON")
    }
    const found = checkSendApiBody(body, options)
    if (found.length > 0) {
      problems.push(...found)
      return refuse(`(#100) ${found[0]}`)
    }
    const json = body as Json
    calls.push({ body: json, at: performance.now() })
    const scripted = queue.shift()
    const waiting = hold
    hold = undefined
    if (waiting !== undefined) await waiting
    if (scripted !== undefined) return HttpResponse.json(scripted.body, { status: scripted.status })
    const recipientId = (json.recipient as Json).id
    if (json.sender_action !== undefined) return HttpResponse.json({ recipient_id: recipientId })
    return HttpResponse.json({ recipient_id: recipientId, message_id: `${options.midPrefix}${Date.now()}_${next++}` })
  })

  /** Attachment Upload API: multipart `message` = {"attachment":{"type","payload":{"is_reusable":true}}} and `filedata`. */
  const uploads: Array<{ type: string; mimeType: string; size: number; id: string }> = []
  const upload = http.post(`${options.apiUrl}/:account/message_attachments`, async ({ request }) => {
    if (request.headers.get("authorization") !== `Bearer ${options.token}`) {
      return HttpResponse.json(graphError(401, 190, "Invalid OAuth access token - Cannot parse access token").body, { status: 401 })
    }
    if (!(request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
      problems.push("message_attachments: content-type must be multipart/form-data")
      return refuse("(#100) multipart/form-data expected")
    }
    const form = await request.formData()
    const found: Array<string> = []
    let message: unknown
    try {
      message = JSON.parse(String(form.get("message")))
    } catch {
      found.push("message_attachments: the message field must be JSON")
    }
    const attachment = isObject(message) ? message.attachment : undefined
    if (!isObject(attachment) || !["image", "video", "audio", "file"].includes(String(attachment.type))) found.push("message_attachments: message.attachment.type must be image, video, audio or file")
    if (isObject(attachment) && (!isObject(attachment.payload) || attachment.payload.is_reusable !== true)) found.push("message_attachments: message.attachment.payload.is_reusable must be true")
    const file = form.get("filedata")
    if (!(file instanceof File) || file.size === 0) found.push("message_attachments: filedata must be a non-empty file")
    if (found.length > 0) {
      problems.push(...found)
      return refuse(`(#100) ${found[0]}`)
    }
    const id = String(1_857_777_774_821_000 + next++)
    uploads.push({ type: String((attachment as Json).type), mimeType: (file as File).type, size: (file as File).size, id })
    return HttpResponse.json({ attachment_id: id })
  })

  return {
    handlers: [send, upload] as Array<HttpHandler>,
    uploads,
    calls,
    problems,
    /** Queues answers for the next calls, consumed in order (then: success). */
    script: (...answers: Array<ScriptedAnswer>) => void queue.push(...answers),
    /** The next call's answer waits until `release()` (an echo can then arrive before the Send API answers). */
    holdNext: () => {
      let release!: () => void
      hold = new Promise<void>((resolve) => (release = resolve))
      return { release }
    },
    sentTo: (recipientId: string) => calls.filter((c) => (c.body.recipient as Json).id === recipientId),
    reset: () => {
      calls.length = 0
      problems.length = 0
      queue.length = 0
    },
    assertValid: () => {
      if (problems.length > 0) throw new Error(`Send API calls departed from Meta's documented format:\n${problems.join("\n")}`)
    }
  }
}

/** The Messenger Send API stand-in. */
export const messengerSendApiMock = (apiUrl: string, token: string) =>
  metaSendApiMock({ apiUrl, token, maxText: 2000, reactions: false, midPrefix: "m_" })

/** The Instagram Send API stand-in. */
export const instagramSendApiMock = (apiUrl: string, token: string) =>
  metaSendApiMock({ apiUrl, token, maxText: 1000, reactions: true, midPrefix: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOj" })
