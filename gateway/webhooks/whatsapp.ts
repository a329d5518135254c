/**
 * `GET /webhooks/whatsapp` (Meta's verification handshake) and `POST /webhooks/whatsapp`:
 * bodies over 4 MiB are refused while they stream in (413); the signature is checked over
 * the exact bytes received (401); then JSON (400), then parsed, made durable and only then 200.
 */
import { Effect, Redacted } from "effect"
import { Hono } from "hono"
import { makeWhatsAppAdapter, verifyHandshake } from "../../adapters/whatsapp-cloud/mod.ts"
import { Transport } from "../../actors/Transport.ts"
import { type LoketConfigValue, whatsappAppSecret } from "../../config/Config.ts"
import { declaredBodyLimit } from "../http/body-limit/index.ts"
import { jsonError } from "../http/errors.ts"
import type { AppRuntime } from "../Runtime.ts"

export const MAX_WEBHOOK_BYTES = 4 * 1024 * 1024

const decoder = new TextDecoder()

export function whatsappWebhook(runtime: AppRuntime, config: LoketConfigValue) {
  const adapter = makeWhatsAppAdapter({ appSecret: whatsappAppSecret(config) })
  const verifyToken = config.whatsapp.verifyToken === undefined ? undefined : Redacted.value(config.whatsapp.verifyToken)

  return new Hono()
    .get("/", function handshake(c) {
      const challenge = verifyHandshake(
        { mode: c.req.query("hub.mode"), token: c.req.query("hub.verify_token"), challenge: c.req.query("hub.challenge") },
        verifyToken
      )
      return challenge === null
        ? jsonError(c, 403, "verification_failed", "hub.verify_token does not match WHATSAPP_VERIFY_TOKEN (or it is not set).")
        : c.text(challenge, 200)
    })
    .post(
      "/",
      declaredBodyLimit({
        maxSize: MAX_WEBHOOK_BYTES,
        onError: (c) => jsonError(c, 413, "payload_too_large", `Webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes (4 MiB).`)
      }),
      async function receive(c) {
        const raw = new Uint8Array(await c.req.arrayBuffer())
        const verification = adapter.verify(raw, c.req.raw.headers)
        if (!verification.ok) {
          return verification.code === "channel_not_configured"
            ? jsonError(c, 503, verification.code, verification.message)
            : jsonError(c, 401, verification.code, verification.message)
        }
        let body: unknown
        try {
          body = JSON.parse(decoder.decode(raw))
        } catch {
          return jsonError(c, 400, "invalid_json", "The body is not JSON.")
        }
        const parsed = adapter.parse(body)
        if (parsed.events.length === 0 && parsed.rejected.length === 0) {
          return c.json({ status: "ignored", reason: parsed.ignored ?? "no events" })
        }
        const result = await runtime.runPromise(
          Transport.use((t) => t.accept("whatsapp", parsed)).pipe(
            Effect.map((r) => ({ ok: true as const, ...r })),
            Effect.catchTag("IngestUnavailable", (e) => Effect.succeed({ ok: false as const, message: e.message }))
          )
        )
        if (!result.ok) {
          // The cause is a storage error (no resident data): the operator needs it, Meta gets a 503 and redelivers.
          console.error(`Loket: webhook events not stored, answered 503: ${result.message}`)
          return jsonError(c, 503, "not_durable", "Events could not be stored now; Meta will deliver them again.")
        }
        return c.json({ status: "accepted", accepted: result.accepted, duplicates: result.duplicates, parked: result.parked })
      }
    )
}
