/** Posting signed WhatsApp webhooks to a gateway under test, and reading the agent API. */
import * as fixtures from "../../adapters/whatsapp-cloud/fixtures.ts"
import { APP_SECRET, auth } from "./gateway.ts"

export { fixtures }

export async function postWebhook(url: string, body: unknown, options: { secret?: string; signature?: string | null } = {}) {
  const raw = typeof body === "string" ? body : JSON.stringify(body)
  const headers: Record<string, string> = { "content-type": "application/json" }
  const signature = options.signature === undefined ? fixtures.sign(raw, options.secret ?? APP_SECRET) : options.signature
  if (signature !== null) headers["x-hub-signature-256"] = signature
  return fetch(`${url}/webhooks/whatsapp`, { method: "POST", headers, body: raw })
}

export async function api<T = any>(url: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}/api/v1${path}`, { headers: auth })
  return { status: res.status, body: (await res.json()) as T }
}

export async function allMessages(url: string, conversationId: string): Promise<Array<any>> {
  const items: Array<any> = []
  let cursor: string | null = null
  do {
    const page: { body: { items: Array<any>; nextCursor: string | null } } = await api(url, `/conversations/${conversationId}/messages?limit=200${cursor ? `&cursor=${cursor}` : ""}`)
    items.push(...page.body.items)
    cursor = page.body.nextCursor
  } while (cursor !== null)
  return items
}

export async function allConversations(url: string, query = "status=all"): Promise<Array<any>> {
  const items: Array<any> = []
  let cursor: string | null = null
  do {
    const page: { body: { items: Array<any>; nextCursor: string | null } } = await api(url, `/conversations?${query}&limit=200${cursor ? `&cursor=${cursor}` : ""}`)
    items.push(...page.body.items)
    cursor = page.body.nextCursor
  } while (cursor !== null)
  return items
}
