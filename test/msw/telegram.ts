/**
 * A stand-in for the Telegram Bot API, checked against its documented format
 * (https://core.telegram.org/bots/api): `POST <api>/bot<token>/<method>` with a JSON body for
 * `sendMessage`, `sendPhoto`, `sendDocument`, `getFile` and `setWebhook`, and file downloads
 * from `GET <api>/file/bot<token>/<file_path>`.
 *
 * A deviation is recorded in `problems` and answered like the Bot API (400 `Bad Request: …`;
 * a wrong token 401 `Unauthorized`; an unknown method 404 `Not Found`); call `assertValid()`
 * after each test. `script(...)` queues answers consumed in order, then success.
 */
import { http, HttpResponse, type HttpHandler } from "msw"

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)
const chars = (text: string) => Array.from(text).length

/** Fields each method documents (others are refused, so a typo in Loket shows). */
const FIELDS: Record<string, ReadonlyArray<string>> = {
  sendMessage: ["business_connection_id", "chat_id", "message_thread_id", "text", "parse_mode", "entities", "link_preview_options", "disable_notification", "protect_content", "allow_paid_broadcast", "message_effect_id", "reply_parameters", "reply_markup"],
  sendPhoto: ["business_connection_id", "chat_id", "message_thread_id", "photo", "caption", "parse_mode", "caption_entities", "show_caption_above_media", "has_spoiler", "disable_notification", "protect_content", "allow_paid_broadcast", "message_effect_id", "reply_parameters", "reply_markup"],
  sendDocument: ["business_connection_id", "chat_id", "message_thread_id", "document", "thumbnail", "caption", "parse_mode", "caption_entities", "disable_content_type_detection", "disable_notification", "protect_content", "allow_paid_broadcast", "message_effect_id", "reply_parameters", "reply_markup"],
  getFile: ["file_id"],
  setWebhook: ["url", "certificate", "ip_address", "max_connections", "allowed_updates", "drop_pending_updates", "secret_token"]
}

const REPLY_PARAMETERS = ["message_id", "chat_id", "allow_sending_without_reply", "quote", "quote_parse_mode", "quote_entities", "quote_position", "checklist_task_id"]

/** Every way a call departs from the Bot API's documented format (empty: fine). */
export function checkBotCall(method: string, body: unknown): Array<string> {
  const problems: Array<string> = []
  const add = (text: string) => void problems.push(text)
  if (!isObject(body)) return [`${method}: the body is not a JSON object`]
  const allowed = FIELDS[method]
  if (allowed === undefined) return [`${method} is not a Bot API method this stand-in knows`]
  for (const key of Object.keys(body)) if (!allowed.includes(key)) add(`${method}: ${key} is not a documented parameter`)
  const chatId = () => {
    const id = body.chat_id
    if (id === undefined) return add(`${method}: chat_id is required`)
    if (!(Number.isSafeInteger(id) || (typeof id === "string" && /^(-?\d+|@\w{5,})$/.test(id)))) add(`${method}: chat_id must be an integer or @channelusername, got ${JSON.stringify(id)}`)
  }
  const file = (field: string) => {
    const value = body[field]
    if (typeof value !== "string" || value === "") return add(`${method}: ${field} must be a file_id or an HTTP URL (string), got ${JSON.stringify(value)}`)
    if (/^[a-z]+:/i.test(value) && !/^https?:\/\//.test(value)) add(`${method}: ${field} URL must be http(s)`)
  }
  const caption = () => {
    if (body.caption === undefined) return
    if (typeof body.caption !== "string") return add(`${method}: caption must be a string`)
    if (chars(body.caption) > 1024) add(`${method}: caption is ${chars(body.caption)} characters, over 1024`)
  }
  const replyParameters = () => {
    const rp = body.reply_parameters
    if (rp === undefined) return
    if (!isObject(rp)) return add(`${method}: reply_parameters must be a ReplyParameters object`)
    if (!Number.isSafeInteger(rp.message_id)) add(`${method}: reply_parameters.message_id must be an integer, got ${JSON.stringify(rp.message_id)}`)
    for (const key of Object.keys(rp)) if (!REPLY_PARAMETERS.includes(key)) add(`${method}: reply_parameters.${key} is not documented`)
    if (rp.allow_sending_without_reply !== undefined && typeof rp.allow_sending_without_reply !== "boolean") add(`${method}: reply_parameters.allow_sending_without_reply must be a boolean`)
  }
  switch (method) {
    case "sendMessage": {
      chatId()
      replyParameters()
      if (typeof body.text !== "string" || body.text.trim() === "") add("sendMessage: text must be a non-empty string")
      else if (chars(body.text) > 4096) add(`sendMessage: text is ${chars(body.text)} characters, over 4096`)
      const lpo = body.link_preview_options
      if (lpo !== undefined && (!isObject(lpo) || (lpo.is_disabled !== undefined && typeof lpo.is_disabled !== "boolean"))) add("sendMessage: link_preview_options must be a LinkPreviewOptions object")
      break
    }
    case "sendPhoto":
      chatId()
      replyParameters()
      file("photo")
      caption()
      break
    case "sendDocument":
      chatId()
      replyParameters()
      file("document")
      caption()
      break
    case "getFile":
      if (typeof body.file_id !== "string" || body.file_id === "") add("getFile: file_id must be a non-empty string")
      break
    case "setWebhook":
      if (typeof body.url !== "string" || !/^https:\/\//.test(body.url)) add(`setWebhook: url must be an https URL, got ${JSON.stringify(body.url)}`)
      if (body.secret_token !== undefined && (typeof body.secret_token !== "string" || !/^[A-Za-z0-9_-]{1,256}$/.test(body.secret_token))) add("setWebhook: secret_token must be 1-256 of A-Z, a-z, 0-9, _ and -")
      if (body.allowed_updates !== undefined && (!Array.isArray(body.allowed_updates) || !body.allowed_updates.every((u) => typeof u === "string"))) add("setWebhook: allowed_updates must be an array of strings")
      break
  }
  return problems
}

export interface BotCall {
  readonly method: string
  readonly body: Json
  readonly at: number
}

/** A scripted answer: an HTTP status and the Bot API's error body. */
export interface ScriptedAnswer {
  readonly status: number
  readonly body: Json
}

export const botError = (code: number, description: string, parameters?: Json): ScriptedAnswer => ({
  status: code, body: { ok: false, error_code: code, description, ...(parameters === undefined ? {} : { parameters }) }
})

export interface TelegramMockOptions {
  readonly apiUrl: string
  readonly token: string
  /** Files getFile knows: file_id → bytes and path. */
  readonly files?: Record<string, { readonly bytes: Uint8Array; readonly path: string }>
}

export function telegramBotMock(options: TelegramMockOptions) {
  const calls: Array<BotCall> = []
  const problems: Array<string> = []
  const queue: Array<ScriptedAnswer> = []
  const files = new Map(Object.entries(options.files ?? {}))
  let nextMessageId = 9000
  const ok = (result: unknown) => HttpResponse.json({ ok: true, result })

  const methodCall = http.post(`${options.apiUrl}/:bot/:method`, async ({ request, params }) => {
    const bot = String(params.bot)
    const method = String(params.method)
    if (bot !== `bot${options.token}`) {
      if (bot.startsWith("bot")) return HttpResponse.json({ ok: false, error_code: 401, description: "Unauthorized" }, { status: 401 })
      problems.push(`path ${new URL(request.url).pathname} is not /bot<token>/<method>`)
      return HttpResponse.json({ ok: false, error_code: 404, description: "Not Found" }, { status: 404 })
    }
    if (FIELDS[method] === undefined) {
      problems.push(`unknown method ${method}`)
      return HttpResponse.json({ ok: false, error_code: 404, description: "Not Found" }, { status: 404 })
    }
    if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) problems.push(`${method}: content-type must be application/json`)
    let body: unknown
    try {
      body = await request.json()
    } catch {
      problems.push(`${method}: the body is not JSON`)
      return HttpResponse.json({ ok: false, error_code: 400, description: "Bad Request: invalid JSON" }, { status: 400 })
    }
    const found = checkBotCall(method, body)
    if (found.length > 0) {
      problems.push(...found)
      return HttpResponse.json({ ok: false, error_code: 400, description: `Bad Request: ${found[0]}` }, { status: 400 })
    }
    const json = body as Json
    calls.push({ method, body: json, at: performance.now() })
    const scripted = queue.shift()
    if (scripted !== undefined) return HttpResponse.json(scripted.body, { status: scripted.status })
    switch (method) {
      case "getFile": {
        const known = files.get(String(json.file_id))
        if (known === undefined) return HttpResponse.json({ ok: false, error_code: 400, description: "Bad Request: invalid file_id" }, { status: 400 })
        return ok({ file_id: json.file_id, file_unique_id: `u${String(json.file_id).slice(0, 8)}`, file_size: known.bytes.length, file_path: known.path })
      }
      case "setWebhook":
        return ok(true)
      default: {
        const message: Json = { message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: json.chat_id, type: "private" } }
        if (method === "sendMessage") message.text = json.text
        return ok(message)
      }
    }
  })

  const download = http.get(`${options.apiUrl}/file/:bot/*`, ({ request, params }) => {
    if (String(params.bot) !== `bot${options.token}`) return new HttpResponse(null, { status: 401 })
    const path = decodeURIComponent(new URL(request.url).pathname.split(`/file/bot${options.token}/`)[1] ?? "")
    const known = [...files.values()].find((f) => f.path === path)
    if (known === undefined) return new HttpResponse(null, { status: 404 })
    return new HttpResponse(known.bytes, { status: 200, headers: { "content-type": "application/octet-stream", "content-length": String(known.bytes.length) } })
  })

  return {
    handlers: [methodCall, download] as Array<HttpHandler>,
    calls,
    problems,
    /** Queues answers for the next calls, consumed in order (then: success). */
    script: (...answers: Array<ScriptedAnswer>) => void queue.push(...answers),
    sent: (chatId: number) => calls.filter((c) => c.method.startsWith("send") && c.body.chat_id === chatId),
    assertValid: () => {
      if (problems.length > 0) throw new Error(`Bot API calls departed from the documented format:\n${problems.join("\n")}`)
    }
  }
}
