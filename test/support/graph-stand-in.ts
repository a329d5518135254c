/**
 * The fake Graph API of test/msw/graph-messages.ts (same checks, same scripting) served by a real node:http
 * server on 127.0.0.1, for tests that run the gateway as a child process (msw cannot reach into a child).
 * Use `url` as GRAPH_API_URL (it carries the version path, /v23.0).
 *
 * With `webhook`, every accepted message is followed by Meta-shaped status webhooks — `sent`, then `delivered` —
 * posted to `webhook.url`, signed (`x-hub-signature-256`), carrying `biz_opaque_callback_data` and the
 * recipient (`recipient_id`, or `recipient_user_id` for a BSUID). Like Meta, each is redelivered with backoff
 * (100 ms doubling, capped at 2 s) until answered 200, for up to 60 s; a delivery given up is recorded in
 * `webhookFailures`. `close()` ends hanging answers, stops redelivery and closes every connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { sign, statusUpdate, webhookBody } from "../../adapters/whatsapp-cloud/fixtures.ts"
import { createFakeGraph, type FakeGraph, type SentRecord } from "../msw/graph-messages.ts"

export interface GraphStandInOptions {
  readonly accessToken: string
  readonly latencyMs?: number
  readonly phoneNumberIds?: ReadonlyArray<string>
  readonly wabaId?: string
  readonly webhook?: {
    /** The gateway's webhook endpoint, e.g. `${gatewayUrl}/webhooks/whatsapp`. */
    readonly url: string
    readonly appSecret: string
    /** metadata.phone_number_id of the webhooks; default the number the message was sent from. */
    readonly phoneNumberId?: string
  }
}

export interface WebhookDelivery {
  readonly wamid: string
  readonly status: "sent" | "delivered"
  attempts: number
  /** The HTTP status of the last attempt, or null when it did not get one. */
  lastStatus: number | null
  done: boolean
}

export interface GraphStandIn extends Omit<FakeGraph, "handle" | "release"> {
  /** GRAPH_API_URL: `http://127.0.0.1:<port>/v23.0`. */
  readonly url: string
  readonly webhooks: Array<WebhookDelivery>
  readonly webhookFailures: Array<string>
  /** Resolves when every webhook delivery begun so far has succeeded or been given up. */
  readonly webhooksSettled: () => Promise<void>
  readonly close: () => Promise<void>
}

export const STAND_IN_VERSION = "v23.0"
const MAX_BODY_BYTES = 120 * 1024 * 1024
const WEBHOOK_FIRST_DELAY_MS = 100
const WEBHOOK_MAX_DELAY_MS = 2_000
const WEBHOOK_GIVE_UP_MS = 60_000
const WEBHOOK_ATTEMPT_TIMEOUT_MS = 5_000

export async function startGraphStandIn(options: GraphStandInOptions): Promise<GraphStandIn> {
  const stopping = new AbortController()
  const pending = new Set<Promise<void>>()
  const webhooks: Array<WebhookDelivery> = []
  const webhookFailures: Array<string> = []

  const fake = createFakeGraph({
    accessToken: options.accessToken,
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    ...(options.phoneNumberIds === undefined ? {} : { phoneNumberIds: options.phoneNumberIds }),
    ...(options.wabaId === undefined ? {} : { wabaId: options.wabaId }),
    onSent: (record) => {
      if (options.webhook === undefined || stopping.signal.aborted) return
      const delivery = deliverStatuses(record, options.webhook).finally(() => pending.delete(delivery))
      pending.add(delivery)
    }
  })

  /** `sent`, then `delivered`, each until accepted (after the send's answer has gone out). */
  async function deliverStatuses(record: SentRecord, webhook: NonNullable<GraphStandInOptions["webhook"]>): Promise<void> {
    await sleep(10, stopping.signal)
    for (const status of ["sent", "delivered"] as const) {
      if (!(await deliver(record, status, webhook))) return
    }
  }

  async function deliver(record: SentRecord, status: "sent" | "delivered", webhook: NonNullable<GraphStandInOptions["webhook"]>): Promise<boolean> {
    const to = typeof record.body.to === "string" ? record.body.to.replace(/^\+/, "") : null
    const userId = typeof record.body.recipient === "string" ? record.body.recipient : undefined
    const item = {
      ...statusUpdate({
        id: record.wamid,
        status,
        recipientId: to,
        ...(userId === undefined ? {} : { recipientUserId: userId }),
        timestamp: String(Math.floor(Date.now() / 1000))
      }),
      ...(typeof record.body.biz_opaque_callback_data === "string" ? { biz_opaque_callback_data: record.body.biz_opaque_callback_data } : {})
    }
    const raw = JSON.stringify(webhookBody({
      phoneNumberId: webhook.phoneNumberId ?? record.phoneNumberId,
      ...(options.wabaId === undefined ? {} : { wabaId: options.wabaId }),
      statuses: [item]
    }))
    const signature = sign(raw, webhook.appSecret)
    const entry: WebhookDelivery = { wamid: record.wamid, status, attempts: 0, lastStatus: null, done: false }
    webhooks.push(entry)
    const giveUpAt = Date.now() + WEBHOOK_GIVE_UP_MS
    let wait = WEBHOOK_FIRST_DELAY_MS
    while (!stopping.signal.aborted) {
      entry.attempts++
      try {
        const response = await fetch(webhook.url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-hub-signature-256": signature, "user-agent": "facebookexternalua" },
          body: raw,
          signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(WEBHOOK_ATTEMPT_TIMEOUT_MS)])
        })
        entry.lastStatus = response.status
        await response.body?.cancel().catch(() => undefined)
        if (response.status === 200) {
          entry.done = true
          return true
        }
      } catch {
        entry.lastStatus = null
      }
      if (Date.now() + wait > giveUpAt) break
      await sleep(wait, stopping.signal)
      wait = Math.min(wait * 2, WEBHOOK_MAX_DELAY_MS)
    }
    if (!stopping.signal.aborted) {
      webhookFailures.push(`${status} webhook for ${record.wamid} not accepted after ${entry.attempts} attempts (last: ${entry.lastStatus ?? "no answer"})`)
    }
    return false
  }

  const server = createServer((req, res) => void serve(req, res))

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const gone = new AbortController()
    res.on("close", () => {
      if (!res.writableFinished) gone.abort()
    })
    try {
      const body = await readBody(req)
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined) continue
        for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
      }
      const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`, {
        method: req.method ?? "GET",
        headers,
        ...(body === null || req.method === "GET" || req.method === "HEAD" ? {} : { body: body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer }),
        signal: gone.signal
      })
      const response = await fake.handle(request)
      if (res.destroyed) return
      const bytes = Buffer.from(await response.arrayBuffer())
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(bytes)
    } catch (error) {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(error instanceof BodyTooLarge ? 413 : 500, { "content-type": "text/plain" })
        res.end(error instanceof BodyTooLarge ? "too large" : "stand-in failed")
      } else {
        res.destroy()
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const { handle: _handle, release, ...shared } = fake

  let closed: Promise<void> | undefined
  const close = () => {
    closed ??= (async () => {
      stopping.abort()
      release()
      await Promise.allSettled([...pending])
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    })()
    return closed
  }

  return {
    ...shared,
    url: `http://127.0.0.1:${port}/${STAND_IN_VERSION}`,
    webhooks,
    webhookFailures,
    webhooksSettled: async () => {
      // Deliveries may start while earlier ones finish; bounded by the give-up time of each.
      for (let round = 0; round < 1000 && pending.size > 0; round++) await Promise.allSettled([...pending])
    },
    close
  }
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Array<Buffer> = []
  let total = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    total += buffer.byteLength
    if (total > MAX_BODY_BYTES) throw new BodyTooLarge()
    chunks.push(buffer)
  }
  return total === 0 ? null : Buffer.concat(chunks)
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener("abort", done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener("abort", done)
  })
}
