/**
 * `GET /webhooks/<channel>` (the provider's handshake, when the channel has one) and
 * `POST /webhooks/<channel>`, for every channel in adapters/registry.ts: bodies over the
 * channel's limit are refused while they stream in (413); the signature is checked over the
 * exact bytes received (401; 503 while the channel is not configured); then the body is
 * decoded (JSON → 400 if not; or form-encoded), parsed, made durable and only then 200.
 */
import { Effect } from "effect"
import { type Context, Hono } from "hono"
import type { ChannelAdapter } from "../../adapters/ChannelAdapter.ts"
import { Transport } from "../../actors/Transport.ts"
import { declaredBodyLimit } from "../http/body-limit/index.ts"
import { jsonError } from "../http/errors.ts"
import type { AppRuntime } from "../Runtime.ts"

const decoder = new TextDecoder()

const describeBytes = (bytes: number) =>
  bytes % (1024 * 1024) === 0 ? `${bytes} bytes (${bytes / 1024 / 1024} MiB)` : `${bytes} bytes`

/** The URL the provider called: `LOKET_PUBLIC_URL` + path + query when set (behind a proxy), else the request's own. */
function publicUrlOf(c: Context, publicUrl: string | undefined): string {
  if (publicUrl === undefined) return c.req.url
  const url = new URL(c.req.url)
  return `${publicUrl}${url.pathname}${url.search}`
}

function decodeBody(adapter: ChannelAdapter, raw: Uint8Array): { ok: true; body: unknown } | { ok: false } {
  const text = decoder.decode(raw)
  if (adapter.webhook.format === "form") return { ok: true, body: Object.fromEntries(new URLSearchParams(text)) }
  try {
    return { ok: true, body: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

export function channelWebhook(runtime: AppRuntime, adapter: ChannelAdapter, publicUrl: string | undefined) {
  const { webhook, label } = adapter
  const routes = new Hono()
  const handshake = webhook.handshake
  if (handshake !== undefined) {
    routes.get("/", function verifyHandshake(c) {
      const result = handshake(new URL(c.req.url).searchParams)
      return result.ok ? c.text(result.body, 200) : jsonError(c, 403, "verification_failed", result.message)
    })
  }
  return routes.post(
    "/",
    declaredBodyLimit({
      maxSize: webhook.maxBytes,
      onError: (c) => jsonError(c, 413, "payload_too_large", `Webhook bodies are limited to ${describeBytes(webhook.maxBytes)}.`)
    }),
    async function receive(c) {
      const raw = new Uint8Array(await c.req.arrayBuffer())
      const verification = webhook.verify({ raw, headers: c.req.raw.headers, url: publicUrlOf(c, publicUrl) })
      if (!verification.ok) {
        return verification.code === "channel_not_configured"
          ? jsonError(c, 503, verification.code, verification.message)
          : jsonError(c, 401, verification.code, verification.message)
      }
      const decoded = decodeBody(adapter, raw)
      if (!decoded.ok) return jsonError(c, 400, "invalid_json", "The body is not JSON.")
      const parsed = webhook.parse(decoded.body)
      if (parsed.events.length === 0 && parsed.rejected.length === 0) {
        return c.json({ status: "ignored", reason: parsed.ignored ?? "no events" })
      }
      const result = await runtime.runPromise(
        Transport.use((t) => t.accept(adapter.channel, parsed)).pipe(
          Effect.map((r) => ({ ok: true as const, ...r })),
          Effect.catchTag("IngestUnavailable", (e) => Effect.succeed({ ok: false as const, message: e.message }))
        )
      )
      if (!result.ok) {
        // The cause is a storage error (no resident data): the operator needs it, the provider gets a 503 and redelivers.
        console.error(`Loket: ${label} webhook events not stored, answered 503: ${result.message}`)
        return jsonError(c, 503, "not_durable", `Events could not be stored now; ${label} will deliver them again.`)
      }
      return c.json({ status: "accepted", accepted: result.accepted, duplicates: result.duplicates, parked: result.parked })
    }
  )
}
