/**
 * A cluster-mode gateway on the real NATS and PostgreSQL meets messages that are not Loket's on
 * its NATS subjects — a forged event on the stream, a forged command to a partition owner, a
 * forged domain event, a bell with a payload: each is refused (not applied, no answer), logged
 * without its content, and the next good message of each kind still works.
 */
import { connect, type NatsConnection } from "nats"
import { afterEach, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, APP_SECRET, auth, eventually, startChildGateway } from "../support/gateway.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "../support/services.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

const SECRET_TEXT = "BSN 123456782 van Sanne de Vries"

describe("messages on NATS that are not Loket's", { timeout: 90_000 }, () => {
  it("are refused and logged without their content; the next good event, command and domain event still work", async () => {
    const database = await freshPostgresDatabase()
    const ns = natsNamespace()
    cleanups.push(() => database.drop(), () => purgeNatsNamespace(natsUrl(), ns))
    const gateway = await startChildGateway({
      DATABASE_URL: database.url, NATS_URL: natsUrl(), LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: "1", LOKET_LEASE_MS: "2000",
      LOKET_INSTANCE_ID: "gw-refusal", WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN, LOKET_DB_POOL_SIZE: "4"
    })
    cleanups.push(() => gateway.kill())
    await eventually(() => fetch(`${gateway.url}/api/v1/admin/cluster`, { headers: auth }).then((r) => r.json() as Promise<{ owned: Array<number> }>), (v) => v.owned.length === 1, 20_000)

    const nc: NatsConnection = await connect({ servers: natsUrl() })
    cleanups.push(() => nc.close())
    const js = nc.jetstream()
    const sse = await fetch(`${gateway.url}/api/v1/events`, { headers: auth })
    let streamed = ""
    void (async () => {
      for await (const chunk of sse.body!.pipeThrough(new TextDecoderStream())) streamed += chunk
    })().catch(() => {})

    // A forged event on the stream, ahead of a real one in the same partition: the real one must still come through.
    const resident = "31611122233"
    const good = fixtures.webhookBody({ contacts: [fixtures.contact({ waId: resident })], messages: [fixtures.textMessage({ from: resident, body: "Mijn afval is niet opgehaald", id: "wamid.refusal.1" })] })
    await js.publish(`${ns}.events.0`, JSON.stringify({ kind: "message", key: "whatsapp:msg:forged", channel: "whatsapp", message: { text: SECRET_TEXT } }))
    await js.publish(`${ns}.events.0`, "not json at all")
    expect((await postWebhook(gateway.url, good)).status).toBe(200)
    const conversations = await eventually(() => allConversations(gateway.url), (c) => c.length >= 1, 20_000)
    expect(conversations).toHaveLength(1)
    const messages = await eventually(() => allMessages(gateway.url, conversations[0].id), (m) => m.length >= 1)
    expect(messages.map((m: { text: string }) => m.text)).toEqual(["Mijn afval is niet opgehaald"])
    // Nothing is left on the stream for the partition: the forged events were taken off, not redelivered for ever.
    await eventually(async () => (await (await nc.jetstreamManager()).streams.info(`${ns}_events`)).state.messages, (n) => n === 0, 10_000)

    // A forged domain event reaches no SSE stream; the real ones do.
    nc.publish(`${ns}.domain`, JSON.stringify([{ type: "message.created", data: { text: SECRET_TEXT } }]))
    nc.publish(`${ns}.outbox.wake`, SECRET_TEXT)
    const second = fixtures.webhookBody({ contacts: [fixtures.contact({ waId: resident })], messages: [fixtures.textMessage({ from: resident, body: "Nog een vraag", id: "wamid.refusal.2" })] })
    expect((await postWebhook(gateway.url, second)).status).toBe(200)
    await eventually(async () => streamed, (s) => s.includes("Nog een vraag"), 10_000)
    expect(streamed).not.toContain(SECRET_TEXT)

    // A forged command ("mark this message sent" without its provider id) gets no answer; a real one is answered.
    const key = `whatsapp|${conversations[0].channelAccountId}|${conversations[0].contact.id}`
    const forged = await nc.request(`${ns}.cmd.0`, JSON.stringify({ op: "tell", key, message: { kind: "sent", messageId: messages[0].id, note: SECRET_TEXT } }), { timeout: 1500 })
      .then(() => "answered", () => "no answer")
    expect(forged).toBe("no answer")
    const real = await nc.request(`${ns}.cmd.0`, JSON.stringify({ op: "tell", key, message: { kind: "window-check" } }), { timeout: 10_000 })
    expect(real.json()).toEqual({ ok: true })
    // The message the forged command named is as it was.
    expect((await allMessages(gateway.url, conversations[0].id))[0].status).toBe("received")

    // Each refusal is in the log by what it was meant to be and which fields failed, never by its content.
    const log = await eventually(async () => gateway.output(), (o) => ["event (stream seq", "domain event", "outbox bell", "refused a command"].every((s) => o.includes(s)), 10_000)
    expect(log).toMatch(/refused a command from NATS on \S+\.cmd\.0 \(\d+ bytes\): it does not match Loket's format \(failed: message\.providerMessageId\)/)
    expect(log).not.toContain("BSN")
    expect(log).not.toContain("Sanne")
  })
})
