/**
 * The generic webhook route with a channel of the test's own: what every adapter gets from it
 * (form bodies, the full public URL for URL-signing schemes, the GET handshake when it has one,
 * 413/401/503/400 and the durable 200), without the route naming any channel.
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import { describe, expect, it } from "vitest"
import type { ChannelAdapter, WebhookRequest } from "../../adapters/ChannelAdapter.ts"
import { Transport } from "../../actors/Transport.ts"
import type { ParsedWebhook } from "../../domain/InboundEvent.ts"
import type { AppRuntime } from "../Runtime.ts"
import { channelWebhook } from "./channel-webhook.ts"

function harness(webhook: Partial<ChannelAdapter["webhook"]>, publicUrl?: string) {
  const seen: Array<{ request: WebhookRequest; body: unknown }> = []
  const accepted: Array<ParsedWebhook> = []
  let lastRequest: WebhookRequest | undefined
  const adapter = {
    channel: "sms", label: "SMS",
    webhook: {
      maxBytes: 1000, format: "form",
      verify: (request: WebhookRequest) => {
        lastRequest = request
        return request.headers.get("x-sig") === "ok" ? { ok: true as const } : { ok: false as const, code: "signature_invalid" as const, message: "bad signature" }
      },
      parse: (body: unknown): ParsedWebhook => {
        seen.push({ request: lastRequest!, body })
        return (body as { ignore?: string }).ignore !== undefined
          ? { events: [], rejected: [], ignored: "not for us" }
          : { events: [], rejected: [{ path: "", reason: "test", raw: body }], ignored: null }
      },
      ...webhook
    }
  } as unknown as ChannelAdapter
  const transport = Layer.succeed(Transport, {
    accept: (_channel: unknown, parsed: ParsedWebhook) => Effect.sync(() => {
      accepted.push(parsed)
      return { accepted: 0, duplicates: 0, parked: parsed.rejected.length }
    })
  } as unknown as Transport["Service"])
  const runtime = ManagedRuntime.make(transport) as unknown as AppRuntime
  const app = channelWebhook(runtime, adapter, publicUrl)
  return { app, seen, accepted }
}

const post = (body: string, headers: Record<string, string> = { "x-sig": "ok" }, path = "/?a=1") =>
  new Request(`http://127.0.0.1:8080${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body })

describe("the generic webhook route", () => {
  it("hands form-encoded bodies to parse as fields, and makes them durable before 200", async () => {
    const { app, seen, accepted } = harness({})
    const res = await app.fetch(post("From=%2B31612345678&Body=Hallo+gemeente"))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: "accepted", accepted: 0, duplicates: 0, parked: 1 })
    expect(seen[0]!.body).toEqual({ From: "+31612345678", Body: "Hallo gemeente" })
    expect(accepted).toHaveLength(1)
  })

  it("gives verify the raw bytes and the URL the provider called: LOKET_PUBLIC_URL + path + query when set", async () => {
    const plain = harness({})
    await plain.app.fetch(post("x=1"))
    expect(plain.seen[0]!.request.url).toBe("http://127.0.0.1:8080/?a=1")
    expect(new TextDecoder().decode(plain.seen[0]!.request.raw)).toBe("x=1")
    const proxied = harness({}, "https://loket.gemeente.nl")
    await proxied.app.fetch(post("x=1"))
    expect(proxied.seen[0]!.request.url).toBe("https://loket.gemeente.nl/?a=1")
  })

  it("answers 401 for a bad signature, 503 while unconfigured, 413 over the channel's limit, 200 ignored when not for us", async () => {
    const { app, accepted } = harness({})
    expect((await app.fetch(post("x=1", { "x-sig": "no" }))).status).toBe(401)
    const big = await app.fetch(post("x=".padEnd(1001, "a")))
    expect(big.status).toBe(413)
    expect((await big.json()).error.message).toContain("1000 bytes")
    expect(await (await app.fetch(post("ignore=1"))).json()).toEqual({ status: "ignored", reason: "not for us" })
    const off = harness({ verify: () => ({ ok: false, code: "channel_not_configured", message: "SMS_SECRET is not set" }) })
    const res = await off.app.fetch(post("x=1"))
    expect(res.status).toBe(503)
    expect((await res.json()).error).toEqual({ code: "channel_not_configured", message: "SMS_SECRET is not set" })
    expect(accepted).toHaveLength(0)
  })

  it("answers 400 for JSON channels when the body is not JSON, and serves a GET handshake only when the channel has one", async () => {
    const json = harness({ format: "json", handshake: (q) => (q.get("token") === "t" ? { ok: true, body: q.get("challenge")! } : { ok: false, message: "wrong token" }) })
    expect((await json.app.fetch(post("{nope"))).status).toBe(400)
    const hello = await json.app.fetch(new Request("http://127.0.0.1/?token=t&challenge=42"))
    expect([hello.status, await hello.text()]).toEqual([200, "42"])
    expect((await json.app.fetch(new Request("http://127.0.0.1/?token=x&challenge=42"))).status).toBe(403)
    expect((await harness({}).app.fetch(new Request("http://127.0.0.1/"))).status).toBe(404)
  })
})
