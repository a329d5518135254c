/**
 * Cluster mode with real NATS JetStream and real PostgreSQL: two and three gateway processes
 * share the conversations; messages sent round-robin to every instance arrive once each and in
 * order; a killed instance's conversations move to the others within 10 s, losing nothing
 * acknowledged; a NATS restart gives 503s (Meta redelivers) and loses nothing.
 */
import { connect } from "nats"
import { afterEach, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, APP_SECRET, auth, type ChildGateway, eventually, PLAYBOOK_OFF, startChildGateway } from "../support/gateway.ts"
import { startGraphStandIn } from "../support/graph-stand-in.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace, startNatsServer } from "../support/services.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

/** A PostgreSQL database, a NATS namespace and `count` gateways sharing them. */
async function startCluster(count: number, nats = natsUrl(), extra: Record<string, string> = {}) {
  const database = await freshPostgresDatabase()
  const ns = natsNamespace()
  cleanups.push(() => database.drop(), () => purgeNatsNamespace(nats, ns))
  const env = (i: number) => ({
    DATABASE_URL: database.url, NATS_URL: nats, LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: "12", LOKET_LEASE_MS: "2000",
    LOKET_INSTANCE_ID: `gw${i}`, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN, LOKET_DB_POOL_SIZE: "5", ...PLAYBOOK_OFF, ...extra
  })
  const gateways: Array<ChildGateway> = []
  for (let i = 0; i < count; i++) {
    const gateway = await startChildGateway(env(i))
    gateways.push(gateway)
    cleanups.push(() => gateway.kill())
  }
  // Every partition hosted, each by one instance, and one leader.
  await eventually(() => Promise.all(gateways.map((g) => clusterView(g.url))), (views) => {
    const owned = views.flatMap((v) => v.owned)
    return owned.length === 12 && new Set(owned).size === 12 && views.filter((v) => v.leader).length === 1 && views.every((v) => v.owned.length > 0)
  }, 20_000)
  return { gateways, env, database, ns }
}

async function clusterView(url: string): Promise<{ owned: Array<number>; leader: boolean; instanceId: string }> {
  const res = await fetch(`${url}/api/v1/admin/cluster`, { headers: auth })
  return (await res.json()) as { owned: Array<number>; leader: boolean; instanceId: string }
}

const resident = (i: number) => `3161${String(i).padStart(7, "0")}`
/** One text from a resident; all of a resident's messages share a timestamp, so the API lists them in the order they were applied. */
const text = (from: string, body: string, id: string) =>
  fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from })], messages: [fixtures.textMessage({ from, body, id, timestamp: "1770000000" })] })

/** Every resident's texts as the API lists them (any instance answers for all). */
async function textsByResident(url: string): Promise<Map<string, Array<string>>> {
  const out = new Map<string, Array<string>>()
  for (const conversation of await allConversations(url)) {
    out.set(conversation.contact.handle, (await allMessages(url, conversation.id)).map((m: { text: string }) => m.text))
  }
  return out
}

describe("cluster mode", { timeout: 90_000 }, () => {
  it("spreads 200 conversations over three instances; messages sent round-robin arrive once each and in order; SSE on one carries all", async () => {
    const { gateways } = await startCluster(3)
    const sse = await fetch(`${gateways[0]!.url}/api/v1/events`, { headers: auth })
    let streamed = ""
    const reading = (async () => {
      for await (const chunk of sse.body!.pipeThrough(new TextDecoderStream())) streamed += chunk
    })().catch(() => {})

    // 200 residents, 5 messages each; message k of every resident goes to instance k mod 3.
    let n = 0
    for (let k = 1; k <= 5; k++) {
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => {
        const gateway = gateways[(i + k) % gateways.length]!
        return postWebhook(gateway.url, text(resident(i), `m${k}`, `wamid.c${i}.${k}`))
      }))
      expect(results.map((r) => r.status)).toEqual(Array(200).fill(200))
      n += 200
    }
    // A redelivery to another instance changes nothing.
    expect((await postWebhook(gateways[2]!.url, text(resident(7), "m1", "wamid.c7.1"))).status).toBe(200)

    const texts = await eventually(() => textsByResident(gateways[1]!.url), (t) => [...t.values()].reduce((a, m) => a + m.length, 0) >= n, 30_000)
    expect(texts.size).toBe(200)
    for (const [, messages] of texts) expect(messages).toEqual(["m1", "m2", "m3", "m4", "m5"])
    await eventually(async () => (streamed.match(/event: message\.created/g) ?? []).length, (c) => c >= n, 10_000)
    expect((streamed.match(/event: message\.created/g) ?? []).length).toBe(n)
    const views = await Promise.all(gateways.map((g) => clusterView(g.url)))
    expect(views.every((v) => v.owned.length === 4)).toBe(true)
    void reading
  })

  it("a partition's new owner reads from a consumer of its own: pull requests by the name the old owner knew get none of its events", async () => {
    const { gateways, env, ns } = await startCluster(1)
    const nc = await connect({ servers: natsUrl() })
    cleanups.push(() => nc.close())
    const jsm = await nc.jetstreamManager()
    // The consumers the first instance reads from, while it owns every partition.
    const before = new Map<string, string>()
    for await (const info of jsm.consumers.list(`${ns}_events`)) before.set(info.config.filter_subject ?? "", info.name)
    expect(before.size).toBe(12)
    const second = await startChildGateway(env(1))
    cleanups.push(() => second.kill())
    const moved = (await eventually(() => clusterView(second.url), (v) => v.owned.length === 6, 20_000)).owned
    // An owner that was deposed without knowing it (stalled, or cut off from NATS for a while) keeps
    // asking for events by the consumer name it had: as a pull request on the wire.
    const stolen: Array<string> = []
    const inbox = nc.subscribe(`_INBOX.deposed.${ns}`, { callback: (_, msg) => { if (msg.subject.startsWith(`${ns}.events.`)) stolen.push(msg.subject) } })
    cleanups.push(async () => inbox.unsubscribe())
    for (const partition of moved) {
      nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${ns}_events.${before.get(`${ns}.events.${partition}`)}`, JSON.stringify({ batch: 256, expires: 20_000_000_000 }), { reply: `_INBOX.deposed.${ns}` })
    }
    await nc.flush()
    const instances = [gateways[0]!, second]
    for (let k = 1; k <= 3; k++) {
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => postWebhook(instances[(i + k) % 2]!.url, text(resident(300 + i), `d${k}`, `wamid.d${i}.${k}`))))
      expect(results.map((r) => r.status)).toEqual(Array(60).fill(200))
    }
    const texts = await eventually(() => textsByResident(second.url), (t) => [...t.values()].reduce((a, m) => a + m.length, 0) >= 180, 30_000)
    expect(stolen).toEqual([])
    for (const [, messages] of texts) expect(messages).toEqual(["d1", "d2", "d3"])
  })

  it("after kill -9 of one of two instances, its conversations take messages on the other within 10 s and nothing acknowledged is lost", async () => {
    const { gateways } = await startCluster(2)
    const [survivor, victim] = gateways as [ChildGateway, ChildGateway]
    const acknowledged: Array<{ from: string; body: string }> = []
    const unacknowledged: Array<{ from: string; body: string; id: string }> = []
    let sent = 0
    const send = async (gateway: ChildGateway, from: string, body: string, id: string) => {
      const ok = await postWebhook(gateway.url, text(from, body, id)).then((r) => r.status === 200, () => false)
      if (ok) acknowledged.push({ from, body })
      else unacknowledged.push({ from, body, id })
    }
    // Load on both instances, then the kill in the middle of it.
    const load = (async () => {
      for (let round = 0; round < 30; round++) {
        await Promise.all(Array.from({ length: 20 }, (_, i) => {
          sent++
          return send(i % 2 === 0 ? survivor : victim, resident(i), `r${round}`, `wamid.k${i}.${round}`)
        }))
      }
    })()
    await eventually(async () => sent, (s) => s >= 200, 10_000)
    const victimPartitions = (await clusterView(victim.url)).owned
    await victim.kill()
    const killedAt = Date.now()
    await load

    // The survivor takes over every partition, the victim's too.
    await eventually(() => clusterView(survivor.url), (v) => v.owned.length === 12, 10_000)
    const takeoverMs = Date.now() - killedAt
    expect(takeoverMs).toBeLessThan(10_000)
    expect(victimPartitions.length).toBeGreaterThan(0)

    // Meta redelivers what was not acknowledged; a resident of the victim's writes anew.
    for (const { from, body, id } of unacknowledged.splice(0)) await send(survivor, from, body, id)
    await send(survivor, resident(1), "after", "wamid.k1.after")
    const expected = new Map<string, Array<string>>()
    for (const { from, body } of acknowledged) expected.set(from, [...(expected.get(from) ?? []), body])
    const texts = await eventually(() => textsByResident(survivor.url), (t) => [...t.values()].reduce((a, m) => a + m.length, 0) >= acknowledged.length, 10_000)
    for (const [from, bodies] of expected) expect([...(texts.get(from) ?? [])].sort()).toEqual([...bodies].sort())
    expect(texts.get(resident(1))).toContain("after")
  })

  it("answers 503 while NATS is down, then reconnects and loses nothing", async () => {
    const nats = await startNatsServer()
    cleanups.push(() => nats.dispose())
    const { gateways } = await startCluster(2, nats.url)
    const statuses: Array<number> = []
    const pending: Array<{ from: string; body: string; id: string }> = []
    const acknowledged: Array<{ from: string; body: string }> = []
    const send = async (gateway: ChildGateway, from: string, body: string, id: string) => {
      const status = await postWebhook(gateway.url, text(from, body, id)).then((r) => r.status, () => 0)
      statuses.push(status)
      if (status === 200) acknowledged.push({ from, body })
      else pending.push({ from, body, id })
    }
    let round = 0
    const burst = () => Promise.all(Array.from({ length: 10 }, (_, i) => send(gateways[i % 2]!, resident(i), `n${round}`, `wamid.n${i}.${round}`))).then(() => round++)
    await burst()
    await nats.stop()
    await burst()
    expect(statuses.slice(10).every((s) => s === 503)).toBe(true)
    const ready = await fetch(`${gateways[0]!.url}/readyz`)
    expect(ready.status).toBe(503)
    await nats.start()
    await eventually(() => fetch(`${gateways[0]!.url}/readyz`).then((r) => r.status), (s) => s === 200, 15_000)
    await burst()
    // Meta redelivers what got a 503.
    for (const { from, body, id } of pending.splice(0)) await send(gateways[0]!, from, body, id)
    expect(pending).toEqual([])
    const texts = await eventually(() => textsByResident(gateways[1]!.url), (t) => [...t.values()].reduce((a, m) => a + m.length, 0) >= 30, 20_000)
    for (let i = 0; i < 10; i++) expect([...(texts.get(resident(i)) ?? [])].sort()).toEqual(["n0", "n1", "n2"])
  })

  it("sends agents' replies given to any instance once each, within the per-number limit across the cluster", async () => {
    const standIn = await startGraphStandIn({ accessToken: "cluster-token" })
    cleanups.push(() => standIn.close())
    const { gateways } = await startCluster(2, natsUrl(), {
      WHATSAPP_ACCESS_TOKEN: "cluster-token", GRAPH_API_URL: standIn.url, WHATSAPP_MESSAGES_PER_SECOND: "10", WHATSAPP_PAIR_BURST: "45"
    })
    const now = String(Math.floor(Date.now() / 1000))
    const residents = Array.from({ length: 12 }, (_, i) => resident(500 + i))
    for (const [i, from] of residents.entries()) {
      const body = fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from })], messages: [fixtures.textMessage({ from, body: "Vraag", timestamp: now })] })
      expect((await postWebhook(gateways[i % 2]!.url, body)).status).toBe(200)
    }
    const conversations = await eventually(() => allConversations(gateways[0]!.url), (c) => c.length === 12)

    // Three replies per conversation, each given to an instance in turn, whichever hosts the conversation.
    const accepted: Array<string> = []
    await Promise.all(conversations.flatMap((c, i) => [1, 2, 3].map(async (n) => {
      const res = await fetch(`${gateways[(i + n) % 2]!.url}/api/v1/conversations/${c.id}/messages`, {
        method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: `Antwoord ${n}` })
      })
      expect(res.status).toBe(202)
      accepted.push(((await res.json()) as { id: string }).id)
    })))
    expect(accepted).toHaveLength(36)

    await eventually(async () => standIn.sent.length, (n) => n >= 36, 30_000)
    await new Promise((resolve) => setTimeout(resolve, 500)) // a second dispatcher would send more meanwhile
    const perReply = new Map<string, number>()
    for (const record of standIn.sent) perReply.set(String(record.body.biz_opaque_callback_data), (perReply.get(String(record.body.biz_opaque_callback_data)) ?? 0) + 1)
    expect(new Set(perReply.keys())).toEqual(new Set(accepted))
    expect([...perReply.values()].every((n) => n === 1)).toBe(true)
    // Meta's count: never more than 10 in any second, though two instances took the replies.
    const times = standIn.sent.map((r) => r.receivedAt).sort((a, b) => a - b)
    const busiest = Math.max(...times.map((t, i) => times.filter((u, j) => j >= i && u < t + 1000).length))
    expect(busiest).toBeLessThanOrEqual(10)
    // Each conversation shows its replies in the order they were written.
    const first = conversations[0]!
    const shown = await eventually(() => allMessages(gateways[1]!.url, first.id), (m) => m.filter((x: { direction: string; status: string }) => x.direction === "outbound" && x.status === "sent").length === 3, 10_000)
    expect(shown.filter((m: { direction: string }) => m.direction === "outbound").length).toBe(3)
    standIn.assertValid()
  })

  it("answers 503 once the stream holds LOKET_STREAM_MAX_EVENTS waiting events, and takes webhooks again when they are gone", async () => {
    const { gateways, ns } = await startCluster(1, natsUrl(), { LOKET_STREAM_MAX_EVENTS: "1000" })
    const gateway = gateways[0]!
    // 1,000 events on a subject no partition consumes: the backlog is full.
    const nc = await connect({ servers: natsUrl() })
    cleanups.push(() => nc.close())
    const js = nc.jetstream()
    await Promise.all(Array.from({ length: 1000 }, (_, i) => js.publish(`${ns}.events.999`, "{}", { msgID: `filler-${i}` })))
    const refused = await postWebhook(gateway.url, text(resident(900), "te veel", "wamid.full.1"))
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("not_durable")
    // The backlog drains (here: purged); Meta's redelivery is taken.
    const jsm = await nc.jetstreamManager()
    await jsm.streams.purge(`${ns}_events`, { filter: `${ns}.events.999` })
    expect((await postWebhook(gateway.url, text(resident(900), "te veel", "wamid.full.1"))).status).toBe(200)
    const texts = await eventually(() => textsByResident(gateway.url), (t) => t.get(resident(900))?.length === 1)
    expect(texts.get(resident(900))).toEqual(["te veel"])
  })
})
