/** Messenger Platform webhooks (Messenger `object: "page"`, Instagram `object: "instagram"`) as Meta posts them, signed. */
import { createHmac } from "node:crypto"

export const META_APP_SECRET = "test-meta-app-secret_for-messenger"
export const PAGE_ID = "104857600123456"
export const PAGE_TOKEN = "EAAGtestpagetoken0123456789"
export const MESSENGER_VERIFY = "messenger-verify-42"
export const GRAPH = "https://graph.facebook.test/v23.0"

export const IG_ACCOUNT_ID = "17841400008460056"
export const IG_TOKEN = "IGAAtestinstagramtoken0123456789"
export const INSTAGRAM_VERIFY = "instagram-verify-42"
export const IG_GRAPH = "https://graph.instagram.test/v23.0"

export const messengerEnv = (extra: Record<string, string> = {}) => ({
  META_APP_SECRET, MESSENGER_PAGE_ACCESS_TOKEN: PAGE_TOKEN, MESSENGER_VERIFY_TOKEN: MESSENGER_VERIFY, GRAPH_API_URL: GRAPH, ...extra
})

export const instagramEnv = (extra: Record<string, string> = {}) => ({
  META_APP_SECRET, INSTAGRAM_ACCESS_TOKEN: IG_TOKEN, INSTAGRAM_VERIFY_TOKEN: INSTAGRAM_VERIFY, INSTAGRAM_API_URL: IG_GRAPH, ...extra
})

export const sign = (raw: string, secret = META_APP_SECRET) => `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`

let nextMid = 1

/** A fresh message id as Meta hands them out. */
export const mid = (prefix = "m_") => `${prefix}${Date.now().toString(36)}${(nextMid++).toString().padStart(6, "0")}`

export type MetaObject = "page" | "instagram"

/** One webhook body with `messaging` items for the account. */
export function webhook(object: MetaObject, items: ReadonlyArray<Record<string, unknown>>, account = object === "page" ? PAGE_ID : IG_ACCOUNT_ID) {
  return { object, entry: [{ id: account, time: Date.now(), messaging: items }] }
}

/** A resident's `messaging` item: `content` is `{ message }`, `{ reaction }`, `{ read }`, `{ delivery }` or `{ postback }`. */
export function fromResident(resident: string, content: Record<string, unknown>, options: { at?: number; account?: string } = {}) {
  return { sender: { id: resident }, recipient: { id: options.account ?? PAGE_ID }, timestamp: options.at ?? Date.now(), ...content }
}

/** The account's own message, echoed (`is_echo`): sent by another tool (`app_id`) or by Loket (`metadata`). */
export function echoTo(resident: string, message: Record<string, unknown>, options: { at?: number; account?: string } = {}) {
  return { sender: { id: options.account ?? PAGE_ID }, recipient: { id: resident }, timestamp: options.at ?? Date.now(), message: { is_echo: true, ...message } }
}

export function postMeta(url: string, channel: "messenger" | "instagram", body: unknown, options: { signature?: string | null; secret?: string } = {}) {
  const raw = typeof body === "string" ? body : JSON.stringify(body)
  const headers: Record<string, string> = { "content-type": "application/json" }
  const signature = options.signature === undefined ? sign(raw, options.secret) : options.signature
  if (signature !== null) headers["x-hub-signature-256"] = signature
  return fetch(`${url}/webhooks/${channel}`, { method: "POST", headers, body: raw })
}

let nextResident = 7_000_000_000_000_000
/** A fresh PSID / IGSID. */
export const newResidentId = () => String(nextResident++)
