/**
 * A stand-in for the WhatsApp Cloud API's sending endpoints, checked against Meta's documented format:
 * `POST /{version}/{phone-number-id}/messages` (messages and read receipts), `POST /{version}/{phone-number-id}/media`
 * (multipart upload) and `GET /{version}/{waba-id}/message_templates` (paged).
 *
 * Three layers, so msw tests and child-process tests check the same things:
 * - `checkSendRequest(body)`, `checkReadRequest(body)`: pure checkers → list of deviations.
 * - `createFakeGraph(options)`: `handle(Request) → Response` with the checks, recording and scripted faults;
 *   test/support/graph-stand-in.ts serves it over node:http.
 * - `graphMessagesMock(options)`: the same as msw 2 handlers.
 *
 * A deviation is recorded in `problems` and answered like Meta (400, code 100; a wrong token 401, code 190);
 * call `assertValid()` after each test. `script(...)` queues faults consumed in order, then success.
 */
import { randomBytes } from "node:crypto"
import { http, type HttpHandler } from "msw"

type Json = Record<string, unknown>

// ---------------------------------------------------------------- the checkers

const WAMID = /^wamid\.[A-Za-z0-9_\-+/=]{8,}$/
const PHONE = /^\+?\d{6,15}$/
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9]+$/
const LANGUAGE_CODE = /^[a-z]{2,3}(_[A-Za-z]{2,4})?$/
const MESSAGE_TYPES = ["text", "image", "audio", "video", "document", "sticker", "template", "interactive", "reaction", "location", "contacts"]
const MEDIA_TYPES = ["image", "audio", "video", "document", "sticker"]
const INTERACTIVE_TYPES = ["button", "list", "cta_url", "flow", "product", "product_list", "catalog_message", "location_request_message", "call_permission_request"]
const TOP_LEVEL = new Set(["messaging_product", "recipient_type", "to", "recipient", "type", "context", "biz_opaque_callback_data", ...MESSAGE_TYPES])

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)
const chars = (text: string) => Array.from(text).length

/** Every way a send body departs from Meta's documented format (empty: fine). */
export function checkSendRequest(body: unknown): Array<string> {
  const problems: Array<string> = []
  const add = (text: string) => void problems.push(text)
  /** A string of 1..max characters (0..max when optional and present). */
  const str = (path: string, value: unknown, max: number, required = true) => {
    if (value === undefined) return required ? add(`${path} is missing`) : undefined
    if (typeof value !== "string") return add(`${path} must be a string, got ${typeof value}`)
    if (required && value.length === 0) return add(`${path} is empty`)
    if (chars(value) > max) add(`${path} is ${chars(value)} characters, over Meta's limit of ${max}`)
  }
  const keys = (path: string, value: Json, allowed: ReadonlyArray<string>) => {
    for (const key of Object.keys(value)) if (!allowed.includes(key)) add(`${path}.${key} is not a field Meta documents here`)
  }

  if (!isObject(body)) return [`the body is not a JSON object`]
  if (body.messaging_product !== "whatsapp") add(`messaging_product must be "whatsapp", got ${JSON.stringify(body.messaging_product)}`)
  if (body.recipient_type !== "individual") add(`recipient_type must be "individual", got ${JSON.stringify(body.recipient_type)}`)
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) add(`${key} is not a top-level field of a message`)

  const hasTo = body.to !== undefined
  const hasRecipient = body.recipient !== undefined
  if (hasTo === hasRecipient) add(hasTo ? "both to and recipient are set; send exactly one (to wins when the phone number is known)" : "neither to nor recipient is set")
  if (hasTo && (typeof body.to !== "string" || !PHONE.test(body.to))) add(`to must be a phone number (digits, optional +), got ${JSON.stringify(body.to)}`)
  if (hasRecipient && (typeof body.recipient !== "string" || !BSUID.test(body.recipient))) {
    add(`recipient must be a business-scoped user id like "NL.1349120865", got ${JSON.stringify(body.recipient)}`)
  }

  const type = body.type
  if (typeof type !== "string" || !MESSAGE_TYPES.includes(type)) {
    add(`type must be one of ${MESSAGE_TYPES.join(", ")}, got ${JSON.stringify(type)}`)
  } else {
    const present = MESSAGE_TYPES.filter((t) => body[t] !== undefined)
    if (!isObject(body[type]) && !(type === "contacts" && Array.isArray(body[type]))) add(`type is "${type}" but there is no ${type} object`)
    for (const other of present) if (other !== type) add(`type is "${type}" but a ${other} object is present too`)
    const object = body[type]
    if (isObject(object)) {
      if (type === "text") {
        keys("text", object, ["body", "preview_url"])
        str("text.body", object.body, 4096)
        if (object.preview_url !== undefined && typeof object.preview_url !== "boolean") add("text.preview_url must be a boolean")
      } else if (MEDIA_TYPES.includes(type)) {
        checkMedia(type, object, add, str, keys)
      } else if (type === "template") {
        checkTemplate(object, add, str)
      } else if (type === "interactive") {
        checkInteractive(object, add, str)
      } else if (type === "reaction") {
        keys("reaction", object, ["message_id", "emoji"])
        if (typeof object.message_id !== "string" || !WAMID.test(object.message_id)) add(`reaction.message_id must be a wamid, got ${JSON.stringify(object.message_id)}`)
        if (typeof object.emoji !== "string") add("reaction.emoji must be a string (\"\" removes the reaction)")
      }
    }
  }

  if (body.context !== undefined) {
    if (!isObject(body.context)) add("context must be an object { message_id }")
    else {
      keys("context", body.context, ["message_id"])
      if (typeof body.context.message_id !== "string" || !WAMID.test(body.context.message_id)) {
        add(`context.message_id must be a wamid ("wamid.…"), got ${JSON.stringify(body.context.message_id)}`)
      }
    }
  }
  if (body.biz_opaque_callback_data !== undefined) str("biz_opaque_callback_data", body.biz_opaque_callback_data, 512)
  return problems
}

type Add = (text: string) => void
type Str = (path: string, value: unknown, max: number, required?: boolean) => void
type Keys = (path: string, value: Json, allowed: ReadonlyArray<string>) => void

function checkMedia(type: string, media: Json, add: Add, str: Str, keys: Keys) {
  const allowed = type === "document" ? ["id", "link", "caption", "filename"] : type === "audio" || type === "sticker" ? ["id", "link"] : ["id", "link", "caption"]
  keys(type, media, allowed)
  if ((media.id === undefined) === (media.link === undefined)) add(`${type} needs exactly one of id and link`)
  if (media.id !== undefined) str(`${type}.id`, media.id, 256)
  if (media.link !== undefined) {
    let ok = false
    try {
      ok = typeof media.link === "string" && /^https?:$/.test(new URL(media.link).protocol)
    } catch {
      ok = false
    }
    if (!ok) add(`${type}.link must be an http(s) URL`)
  }
  if (media.caption !== undefined && allowed.includes("caption")) str(`${type}.caption`, media.caption, 1024, false)
  if (media.filename !== undefined && type === "document") str("document.filename", media.filename, 255)
}

function checkTemplate(template: Json, add: Add, str: Str) {
  str("template.name", template.name, 512)
  const language = template.language
  if (!isObject(language)) add("template.language must be an object { code }")
  else {
    if (typeof language.code !== "string" || !LANGUAGE_CODE.test(language.code)) add(`template.language.code must be a language code like "nl" or "en_US", got ${JSON.stringify(language.code)}`)
    if (language.policy !== undefined && language.policy !== "deterministic") add(`template.language.policy may only be "deterministic"`)
  }
  if (template.components === undefined) return
  if (!Array.isArray(template.components)) return add("template.components must be an array")
  template.components.forEach((component, i) => {
    const path = `template.components[${i}]`
    if (!isObject(component)) return add(`${path} must be an object`)
    if (!["header", "body", "button", "carousel", "limited_time_offer"].includes(String(component.type))) {
      add(`${path}.type must be header, body or button (lower case in sends), got ${JSON.stringify(component.type)}`)
    }
    if (component.type === "button") {
      if (typeof component.sub_type !== "string") add(`${path}.sub_type is missing (quick_reply, url, copy_code, flow…)`)
      if (!/^\d$/.test(String(component.index))) add(`${path}.index must be 0-9`)
    }
    if (component.parameters !== undefined) {
      if (!Array.isArray(component.parameters)) return add(`${path}.parameters must be an array`)
      component.parameters.forEach((parameter, j) => {
        if (!isObject(parameter) || typeof parameter.type !== "string") return add(`${path}.parameters[${j}] needs a type`)
        if (parameter.type === "text") str(`${path}.parameters[${j}].text`, parameter.text, 32768)
      })
    }
  })
}

function checkInteractive(interactive: Json, add: Add, str: Str) {
  const type = interactive.type
  if (typeof type !== "string" || !INTERACTIVE_TYPES.includes(type)) return add(`interactive.type ${JSON.stringify(type)} is not one Meta documents`)
  if (interactive.header !== undefined) {
    const header = interactive.header
    if (!isObject(header) || typeof header.type !== "string") add("interactive.header must be { type, … }")
    else if (header.type === "text") str("interactive.header.text", header.text, 60)
  }
  if (interactive.footer !== undefined) {
    if (!isObject(interactive.footer)) add("interactive.footer must be { text }")
    else str("interactive.footer.text", interactive.footer.text, 60)
  }
  if (type !== "button" && type !== "list") return
  if (!isObject(interactive.body)) add("interactive.body is missing; button and list messages need { text }")
  else str("interactive.body.text", interactive.body.text, 1024)
  const action = interactive.action
  if (!isObject(action)) return add("interactive.action is missing")
  const once = (path: string, values: Array<unknown>) => {
    if (new Set(values).size !== values.length) add(`${path} must be unique`)
  }
  if (type === "button") {
    const buttons = action.buttons
    if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 3) return add("interactive.action.buttons must hold 1 to 3 buttons")
    buttons.forEach((button, i) => {
      const path = `interactive.action.buttons[${i}]`
      if (!isObject(button) || button.type !== "reply" || !isObject(button.reply)) return add(`${path} must be { type: "reply", reply: { id, title } }`)
      str(`${path}.reply.id`, button.reply.id, 256)
      str(`${path}.reply.title`, button.reply.title, 20)
    })
    once("button ids", buttons.map((b) => (isObject(b) && isObject(b.reply) ? b.reply.id : undefined)))
    once("button titles", buttons.map((b) => (isObject(b) && isObject(b.reply) ? b.reply.title : undefined)))
    return
  }
  str("interactive.action.button", action.button, 20)
  const sections = action.sections
  if (!Array.isArray(sections) || sections.length === 0 || sections.length > 10) return add("interactive.action.sections must hold 1 to 10 sections")
  const ids: Array<unknown> = []
  sections.forEach((section, i) => {
    const path = `interactive.action.sections[${i}]`
    if (!isObject(section)) return add(`${path} must be an object`)
    str(`${path}.title`, section.title, 24, sections.length > 1)
    if (!Array.isArray(section.rows) || section.rows.length === 0) return add(`${path}.rows must hold at least one row`)
    section.rows.forEach((row, j) => {
      if (!isObject(row)) return add(`${path}.rows[${j}] must be an object`)
      ids.push(row.id)
      str(`${path}.rows[${j}].id`, row.id, 200)
      str(`${path}.rows[${j}].title`, row.title, 24)
      if (row.description !== undefined) str(`${path}.rows[${j}].description`, row.description, 72, false)
    })
  })
  if (ids.length > 10) add(`the list has ${ids.length} rows; Meta allows 10 in total`)
  once("row ids", ids)
}

/** Every way a read receipt departs from Meta's documented format. */
export function checkReadRequest(body: unknown): Array<string> {
  if (!isObject(body)) return ["the body is not a JSON object"]
  const problems: Array<string> = []
  if (body.messaging_product !== "whatsapp") problems.push(`messaging_product must be "whatsapp"`)
  if (body.status !== "read") problems.push(`status must be "read"`)
  if (typeof body.message_id !== "string" || !WAMID.test(body.message_id)) problems.push(`message_id must be a wamid, got ${JSON.stringify(body.message_id)}`)
  if (body.typing_indicator !== undefined && !(isObject(body.typing_indicator) && body.typing_indicator.type === "text")) {
    problems.push(`typing_indicator must be { type: "text" }`)
  }
  for (const key of Object.keys(body)) {
    if (!["messaging_product", "status", "message_id", "typing_indicator"].includes(key)) problems.push(`${key} is not a field of a read receipt`)
  }
  return problems
}

/** Media types the Cloud API accepts on upload, with their size limits. */
export const UPLOAD_LIMITS: Readonly<Record<string, number>> = {
  "image/jpeg": 5 << 20, "image/png": 5 << 20, "image/webp": 500 << 10,
  "audio/aac": 16 << 20, "audio/amr": 16 << 20, "audio/mpeg": 16 << 20, "audio/mp4": 16 << 20, "audio/ogg": 16 << 20,
  "video/mp4": 16 << 20, "video/3gpp": 16 << 20,
  "text/plain": 100 << 20, "application/pdf": 100 << 20, "application/msword": 100 << 20, "application/vnd.ms-excel": 100 << 20,
  "application/vnd.ms-powerpoint": 100 << 20,
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": 100 << 20,
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": 100 << 20,
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": 100 << 20
}

// ---------------------------------------------------------------- the fake Graph API

export type Endpoint = "send" | "read" | "upload" | "templates"

/** One scripted answer; consumed by the next request to its endpoint (`on`, default "send"). */
export interface ScriptedAnswer {
  readonly on?: Endpoint
  /** HTTP status; alone (no `error`) the body is plain text, like a load balancer's. */
  readonly status?: number
  /** Meta error code, answered in Meta's error shape. */
  readonly error?: number
  readonly subcode?: number
  readonly isTransient?: boolean
  readonly message?: string
  /** Retry-After header, seconds. */
  readonly retryAfter?: number
  /** Wait this long before answering (then the error, or success). */
  readonly delayMs?: number
  /** Never answer (until the client gives up, or reset/close). */
  readonly hang?: boolean
  /** Only a request whose JSON body this accepts consumes the answer; others pass it by (default: any). */
  readonly match?: (body: Json) => boolean
}

export interface SentRecord {
  readonly phoneNumberId: string
  readonly body: Json
  readonly wamid: string
  /** When the request arrived (Date.now()). */
  readonly receivedAt: number
}

export interface UploadRecord {
  readonly phoneNumberId: string
  readonly type: string
  readonly filename: string
  readonly bytes: Uint8Array
}

export interface FakeGraphOptions {
  readonly accessToken: string
  /** When given, other phone number ids are answered like Meta (400, code 100) and recorded as problems. */
  readonly phoneNumberIds?: ReadonlyArray<string>
  readonly wabaId?: string
  /** Added before every answer. */
  readonly latencyMs?: number
  /** Called after a message is accepted (the stand-in posts status webhooks). */
  readonly onSent?: (record: SentRecord) => void
}

export interface FakeGraph {
  readonly handle: (request: Request) => Promise<Response>
  /** Messages accepted (answered with a wamid). */
  readonly sent: Array<SentRecord>
  /** Every send attempt, with the HTTP status answered. */
  readonly attempts: Array<{ readonly phoneNumberId: string; readonly body: unknown; readonly status: number }>
  readonly reads: Array<{ readonly phoneNumberId: string; readonly body: Json }>
  readonly uploads: Array<UploadRecord>
  readonly problems: Array<string>
  readonly script: (...answers: ReadonlyArray<ScriptedAnswer>) => void
  /** The templates the WABA lists (Meta's shape; missing fields filled in). */
  readonly templates: (list: ReadonlyArray<Json>) => void
  readonly assertValid: () => void
  readonly reset: () => void
  /** Ends every hanging answer (with a 503). */
  readonly release: () => void
}

const HANG_LIMIT_MS = 10 * 60 * 1000

const META_MESSAGES: Record<number, string> = {
  100: "(#100) Invalid parameter",
  130429: "(#130429) Rate limit hit",
  131000: "(#131000) Something went wrong",
  131016: "(#131016) Service unavailable",
  131026: "(#131026) Message undeliverable",
  131047: "(#131047) Re-engagement message",
  131051: "(#131051) Unsupported message type",
  131053: "(#131053) Media upload error",
  131056: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
  131057: "(#131057) Account in maintenance mode",
  131062: "(#131062) Business-scoped user ID recipient not supported for this message",
  132000: "(#132000) Number of parameters does not match the expected number of params",
  132001: "(#132001) Template name does not exist in the translation",
  190: "Error validating access token: Session has expired"
}

export function graphErrorResponse(status: number, code: number, o: { message?: string; subcode?: number | null; isTransient?: boolean; retryAfter?: number } = {}): Response {
  const message = o.message ?? META_MESSAGES[code] ?? `(#${code}) Error`
  const error: Json = {
    message,
    type: "OAuthException",
    code,
    ...(o.subcode === null ? {} : o.subcode === undefined ? code === 190 ? { error_subcode: 463 } : {} : { error_subcode: o.subcode }),
    error_data: { messaging_product: "whatsapp", details: message.replace(/^\(#\d+\) /, "") },
    ...(o.isTransient === undefined ? {} : { is_transient: o.isTransient }),
    fbtrace_id: `A${randomBytes(8).toString("base64url")}`
  }
  const headers: Record<string, string> = { "content-type": "application/json; charset=UTF-8" }
  if (o.retryAfter !== undefined) headers["retry-after"] = String(o.retryAfter)
  return new Response(JSON.stringify({ error }), { status, headers })
}

const DEFAULT_STATUS: Record<number, number> = { 190: 401, 131000: 500, 131016: 503, 1: 500, 2: 503 }

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=UTF-8" } })
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
export const freshWamid = () => `wamid.HBgL${randomBytes(27).toString("base64")}`

export function createFakeGraph(options: FakeGraphOptions): FakeGraph {
  const sent: Array<SentRecord> = []
  const attempts: FakeGraph["attempts"] = []
  const reads: FakeGraph["reads"] = []
  const uploads: Array<UploadRecord> = []
  const problems: Array<string> = []
  const queues: Record<Endpoint, Array<ScriptedAnswer>> = { send: [], read: [], upload: [], templates: [] }
  let templateList: Array<Json> = []
  const hanging = new Set<() => void>()
  /** Counts reset()s. */
  let generation = 0

  const problem = (what: string, text: string) => void problems.push(`${what}: ${text}`)
  const invalid = (what: string, found: ReadonlyArray<string>) => {
    for (const text of found) problem(what, text)
    return graphErrorResponse(400, 100, { message: `(#100) Invalid parameter`, subcode: 2494010 })
  }

  /** Waits for the request to go away, `release()`, or the hang limit. */
  function hang(request: Request): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        hanging.delete(done)
        request.signal.removeEventListener("abort", done)
        resolve()
      }
      const timer = setTimeout(done, HANG_LIMIT_MS)
      timer.unref?.()
      hanging.add(done)
      request.signal.addEventListener("abort", done)
    })
  }

  /** The scripted fault for this endpoint, if any: a Response, or undefined to go on with success. */
  async function scripted(endpoint: Endpoint, request: Request, body: unknown): Promise<Response | undefined> {
    const queue = queues[endpoint]
    const index = queue.findIndex((a) => a.match === undefined || (isObject(body) && a.match(body)))
    if (index === -1) return undefined
    const answer = queue.splice(index, 1)[0]!
    if (answer.hang === true) {
      await hang(request)
      return new Response("released", { status: 503 })
    }
    if (answer.delayMs !== undefined) await sleep(answer.delayMs)
    if (answer.error !== undefined) {
      return graphErrorResponse(answer.status ?? DEFAULT_STATUS[answer.error] ?? 400, answer.error, {
        ...(answer.message === undefined ? {} : { message: answer.message }),
        ...(answer.subcode === undefined ? {} : { subcode: answer.subcode }),
        ...(answer.isTransient === undefined ? {} : { isTransient: answer.isTransient }),
        ...(answer.retryAfter === undefined ? {} : { retryAfter: answer.retryAfter })
      })
    }
    if (answer.status !== undefined && answer.status >= 300) {
      const headers: Record<string, string> = { "content-type": "text/plain" }
      if (answer.retryAfter !== undefined) headers["retry-after"] = String(answer.retryAfter)
      return new Response(`HTTP ${answer.status}`, { status: answer.status, headers })
    }
    return undefined
  }

  function authorized(request: Request, what: string): Response | undefined {
    const authorization = request.headers.get("authorization")
    if (authorization === `Bearer ${options.accessToken}`) return undefined
    problem(what, authorization === null ? "no Authorization header" : "wrong Authorization header (expected Bearer <the configured token>)")
    return graphErrorResponse(401, 190, { message: "Invalid OAuth access token - Cannot parse access token", subcode: null })
  }

  function knownNumber(id: string, what: string): Response | undefined {
    if (options.phoneNumberIds === undefined || options.phoneNumberIds.includes(id)) return undefined
    problem(what, `phone number id ${id} is not one of this account's (${options.phoneNumberIds.join(", ")})`)
    return graphErrorResponse(400, 100, { message: `Unsupported post request. Object with ID '${id}' does not exist`, subcode: 33 })
  }

  async function messages(request: Request, phoneNumberId: string): Promise<Response> {
    const receivedAt = Date.now()
    const contentType = request.headers.get("content-type") ?? ""
    let body: unknown
    try {
      body = JSON.parse(await request.text())
    } catch {
      body = undefined
    }
    const isRead = isObject(body) && body.status !== undefined
    const what = isRead ? "read receipt" : "send"
    const refused = authorized(request, what) ?? knownNumber(phoneNumberId, what)
    const since = generation
    const record = (status: number) => {
      // An answer still under way at reset() (a released hang the client gave up on) belongs to the test before.
      if (!isRead && since === generation) attempts.push({ phoneNumberId, body, status })
    }
    if (refused !== undefined) {
      record(refused.status)
      return refused
    }
    const found = [
      ...(contentType.toLowerCase().startsWith("application/json") ? [] : [`content-type must be application/json, got ${JSON.stringify(contentType)}`]),
      ...(isRead ? checkReadRequest(body) : checkSendRequest(body))
    ]
    if (found.length > 0) {
      record(400)
      return invalid(what, found)
    }
    const fault = await scripted(isRead ? "read" : "send", request, body)
    if (fault !== undefined) {
      record(fault.status)
      return fault
    }
    record(200)
    const message = body as Json
    if (isRead) {
      reads.push({ phoneNumberId, body: message })
      return json({ success: true })
    }
    const wamid = freshWamid()
    const entry: SentRecord = { phoneNumberId, body: message, wamid, receivedAt }
    sent.push(entry)
    options.onSent?.(entry)
    const contact = typeof message.to === "string"
      ? { input: message.to, wa_id: message.to.replace(/^\+/, "") }
      : { input: message.recipient, user_id: message.recipient }
    return json({ messaging_product: "whatsapp", contacts: [contact], messages: [{ id: wamid }] })
  }

  async function upload(request: Request, phoneNumberId: string): Promise<Response> {
    const what = "media upload"
    const refused = authorized(request, what) ?? knownNumber(phoneNumberId, what)
    if (refused !== undefined) return refused
    const contentType = request.headers.get("content-type") ?? ""
    if (!contentType.toLowerCase().startsWith("multipart/form-data")) return invalid(what, [`content-type must be multipart/form-data, got ${JSON.stringify(contentType)}`])
    let form: FormData
    try {
      form = await request.formData()
    } catch {
      return invalid(what, ["the multipart body could not be read"])
    }
    const found: Array<string> = []
    const type = form.get("type")
    const file = form.get("file")
    if (form.get("messaging_product") !== "whatsapp") found.push(`field messaging_product must be "whatsapp"`)
    if (typeof type !== "string" || UPLOAD_LIMITS[type] === undefined) found.push(`field type must be a supported MIME type, got ${JSON.stringify(type)}`)
    if (file === null || typeof file === "string") found.push("field file must be a file part")
    else if (file.size === 0) found.push("field file is empty")
    else if (typeof type === "string" && UPLOAD_LIMITS[type] !== undefined && file.size > UPLOAD_LIMITS[type]) found.push(`the file is ${file.size} bytes, over Meta's ${UPLOAD_LIMITS[type]} for ${type}`)
    if (found.length > 0 || file === null || typeof file === "string") return invalid(what, found)
    const fault = await scripted("upload", request, undefined)
    if (fault !== undefined) return fault
    uploads.push({ phoneNumberId, type: String(type), filename: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })
    return json({ id: String(1_000_000_000_000_000n + BigInt(uploads.length)) })
  }

  async function listTemplates(request: Request, wabaId: string): Promise<Response> {
    const what = "template list"
    const refused = authorized(request, what)
    if (refused !== undefined) return refused
    if (options.wabaId !== undefined && wabaId !== options.wabaId) {
      problem(what, `WABA id ${wabaId} is not the configured ${options.wabaId}`)
      return graphErrorResponse(400, 100, { message: `Unsupported get request. Object with ID '${wabaId}' does not exist`, subcode: 33 })
    }
    const url = new URL(request.url)
    const found: Array<string> = []
    const fields = (url.searchParams.get("fields") ?? "").split(",")
    for (const field of ["name", "language", "status", "category", "components"]) {
      if (!fields.includes(field)) found.push(`fields must include ${field} (got ${JSON.stringify(url.searchParams.get("fields"))})`)
    }
    const limitParam = url.searchParams.get("limit")
    const limit = limitParam === null ? 25 : Number(limitParam)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) found.push(`limit must be 1 to 1000, got ${JSON.stringify(limitParam)}`)
    const after = url.searchParams.get("after")
    const offset = after === null ? 0 : Number(Buffer.from(after, "base64url").toString("utf8"))
    if (!Number.isInteger(offset) || offset < 0) found.push(`after is not a cursor this API gave`)
    if (found.length > 0) return invalid(what, found)
    const fault = await scripted("templates", request, undefined)
    if (fault !== undefined) return fault
    const data = templateList.slice(offset, offset + limit)
    const cursor = (n: number) => Buffer.from(String(n)).toString("base64url")
    const paging: Json = { cursors: { before: cursor(offset), after: cursor(offset + data.length) } }
    if (offset + data.length < templateList.length) {
      const next = new URL(url)
      next.searchParams.set("after", cursor(offset + data.length))
      paging.next = next.href
    }
    return json({ data, paging })
  }

  async function handle(request: Request): Promise<Response> {
    if (options.latencyMs !== undefined && options.latencyMs > 0) await sleep(options.latencyMs)
    const url = new URL(request.url)
    const match = /^\/(v\d+\.\d+)\/([^/]+)\/(messages|media|message_templates)$/.exec(url.pathname)
    const route = match === null ? undefined : `${request.method} ${match[3]}`
    const id = match === null ? "" : decodeURIComponent(match[2]!)
    if (route === "POST messages") return messages(request, id)
    if (route === "POST media") return upload(request, id)
    if (route === "GET message_templates") return listTemplates(request, id)
    problem("request", `${request.method} ${url.pathname} is not a documented sending endpoint (/{version}/{id}/messages|media|message_templates)`)
    return graphErrorResponse(400, 100, { message: "Unknown path components", subcode: 2500 })
  }

  const release = () => {
    for (const done of [...hanging]) done()
  }

  return {
    handle,
    sent,
    attempts,
    reads,
    uploads,
    problems,
    script: (...answers) => {
      for (const answer of answers) queues[answer.on ?? "send"].push(answer)
    },
    templates: (list) => {
      templateList = list.map((t, i) => ({
        id: String(t.id ?? 900_000_000_000 + i),
        name: t.name ?? `template_${i}`,
        language: t.language ?? "nl",
        status: t.status ?? "APPROVED",
        category: t.category ?? "UTILITY",
        components: t.components ?? [{ type: "BODY", text: "Hallo" }],
        ...t
      }))
    },
    assertValid: () => {
      if (problems.length > 0) throw new Error(`Requests to the fake Graph API broke Meta's rules:\n- ${problems.join("\n- ")}`)
    },
    reset: () => {
      generation++
      release()
      sent.length = 0
      attempts.length = 0
      reads.length = 0
      uploads.length = 0
      problems.length = 0
      for (const queue of Object.values(queues)) queue.length = 0
      templateList = []
    },
    release
  }
}

// ---------------------------------------------------------------- msw

export interface GraphMessagesMockOptions {
  /** GRAPH_API_URL with its version, e.g. `http://127.0.0.1:9/v23.0` (msw answers; nothing listens). */
  readonly graphApiUrl: string
  readonly accessToken: string
  readonly phoneNumberIds?: ReadonlyArray<string>
  readonly wabaId?: string
  /** Called as each message is accepted (tests time-stamp arrivals with it). */
  readonly onSent?: (record: SentRecord) => void
}

export interface GraphMessagesMock extends Omit<FakeGraph, "handle" | "release"> {
  readonly handlers: ReadonlyArray<HttpHandler>
}

export function graphMessagesMock(options: GraphMessagesMockOptions): GraphMessagesMock {
  const base = options.graphApiUrl.replace(/\/+$/, "")
  const { handle, release: _release, ...fake } = createFakeGraph({
    accessToken: options.accessToken,
    ...(options.phoneNumberIds === undefined ? {} : { phoneNumberIds: options.phoneNumberIds }),
    ...(options.wabaId === undefined ? {} : { wabaId: options.wabaId }),
    ...(options.onSent === undefined ? {} : { onSent: options.onSent })
  })
  const handlers: Array<HttpHandler> = [
    http.all(`${base}/:id/messages`, ({ request }) => handle(request)),
    http.all(`${base}/:id/media`, ({ request }) => handle(request)),
    http.all(`${base}/:id/message_templates`, ({ request }) => handle(request))
  ]
  return { handlers, ...fake }
}
