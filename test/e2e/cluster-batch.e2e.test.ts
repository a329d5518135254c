/**
 * Cluster mode applies a partition's waiting events in batches, one PostgreSQL transaction each
 * (real NATS JetStream, real PostgreSQL, gateways as child processes). A poisoned event parks
 * alone while the rest of its batch lands; a conversation's messages keep their order across
 * batches; a kill -9 between a batch's commit and its acknowledgements loses nothing and doubles
 * nothing.
 */
import pg from "pg"
import { afterEach, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, APP_SECRET, auth, type ChildGateway, eventually, PLAYBOOK_OFF, startChildGateway } from "../support/gateway.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "../support/services.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

interface Batches {
  readonly applied: number
  readonly events: number
  readonly failed: number
}

/** One partition, so that every event waits in the same consumer and batches form. */
async function startOne() {
  const database = await freshPostgresDatabase()
  const ns = natsNamespace()
  cleanups.push(() => database.drop(), () => purgeNatsNamespace(natsUrl(), ns))
  const env = (instance: string) => ({
    DATABASE_URL: database.url, NATS_URL: natsUrl(), LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: "1", LOKET_LEASE_MS: "2000",
    LOKET_INSTANCE_ID: instance, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN, LOKET_DB_POOL_SIZE: "5", ...PLAYBOOK_OFF
  })
  const start = async (instance: string) => {
    const gateway = await startChildGateway(env(instance))
    cleanups.push(() => gateway.kill())
    await eventually(() => view(gateway), (v) => v.owned.length === 1, 20_000)
    return gateway
  }
  return { database, start }
}

async function view(gateway: ChildGateway): Promise<{ owned: Array<number>; batches: Batches }> {
  const res = await fetch(`${gateway.url}/api/v1/admin/cluster`, { headers: auth })
  return (await res.json()) as { owned: Array<number>; batches: Batches }
}

async function sql<R extends pg.QueryResultRow>(url: string, text: string): Promise<Array<R>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<R>(text)).rows
  } finally {
    await client.end()
  }
}

const resident = (i: number) => `3162${String(i).padStart(7, "0")}`
const text = (from: string, body: string, id: string) =>
  fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from })], messages: [fixtures.textMessage({ from, body, id, timestamp: "1770000000" })] })
/** Several residents' texts in one webhook, as Meta batches them. */
const many = (items: ReadonlyArray<{ from: string; body: string; id: string }>) =>
  fixtures.webhookBody({
    contacts: items.map((item) => fixtures.contact({ waId: item.from })),
    messages: items.map((item) => fixtures.textMessage({ from: item.from, body: item.body, id: item.id, timestamp: "1770000000" }))
  })

const countsById = (url: string) =>
  sql<{ id: string; n: string }>(url, "select provider_message_id as id, count(*) as n from messages group by provider_message_id")
    .then((rows) => new Map(rows.map((r) => [r.id, Number(r.n)])))

describe("cluster apply in batches", { timeout: 120_000 }, () => {
  it("parks a poisoned event alone while the other events of its batch land, each once", async () => {
    const { database, start } = await startOne()
    const gateway = await start("gw0")
    // Storing this one message always fails (as a broken row would), inside whatever batch it lands in.
    await sql(database.url, `CREATE FUNCTION poisoned() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.dedupe_key = 'whatsapp:msg:wamid.poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER poisoned BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION poisoned();`)
    // The partition's writes wait behind a lock while the events come in, so that they wait in its consumer together.
    const blocker = new pg.Client({ connectionString: database.url })
    await blocker.connect()
    cleanups.push(() => blocker.end())
    await blocker.query("BEGIN; LOCK TABLE partition_fences IN ACCESS EXCLUSIVE MODE")
    const items = Array.from({ length: 41 }, (_, i) => ({ from: resident(i), body: `vraag ${i}`, id: i === 20 ? "wamid.poison" : `wamid.b${i}` }))
    expect((await postWebhook(gateway.url, many(items))).status).toBe(200)
    await blocker.query("COMMIT")

    const parked = await eventually(async () => (await (await fetch(`${gateway.url}/api/v1/admin/parked`, { headers: auth })).json()).items,
      (list: Array<unknown>) => list.length === 1, 60_000) as Array<{ key: string; attempts: number }>
    expect(parked[0]).toMatchObject({ key: "whatsapp:msg:wamid.poison", attempts: 5 })
    const counts = await eventually(() => countsById(database.url), (c) => c.size >= 40, 30_000)
    expect(counts.size).toBe(40)
    expect([...counts.values()].every((n) => n === 1)).toBe(true)
    expect(counts.has("wamid.poison")).toBe(false)
    const { batches } = await view(gateway)
    // The poisoned event was in a batch (one failed), and the batches carried several events each.
    expect(batches.failed).toBeGreaterThanOrEqual(1)
    expect(batches.events).toBeGreaterThan(batches.applied)
  })

  it("keeps a conversation's messages in order across batches, each once", async () => {
    const { database, start } = await startOne()
    const gateway = await start("gw0")
    const talker = resident(99_999)
    for (let k = 1; k <= 15; k++) {
      // The talker's next message, and a crowd of other residents' beside it, at once.
      const crowd = many(Array.from({ length: 12 }, (_, i) => ({ from: resident(k * 100 + i), body: `x${k}`, id: `wamid.o${k}.${i}` })))
      const answers = await Promise.all([postWebhook(gateway.url, text(talker, `m${k}`, `wamid.t${k}`)), postWebhook(gateway.url, crowd)])
      expect(answers.map((a) => a.status)).toEqual([200, 200])
    }
    const counts = await eventually(() => countsById(database.url), (c) => c.size >= 15 * 13, 60_000)
    expect([...counts.values()].every((n) => n === 1)).toBe(true)
    const conversation = (await allConversations(gateway.url)).find((c: { contact: { handle: string } }) => c.contact.handle === talker)
    const texts = (await allMessages(gateway.url, conversation.id)).map((m: { text: string }) => m.text)
    expect(texts).toEqual(Array.from({ length: 15 }, (_, k) => `m${k + 1}`))
    // In stored order too (the rows' sequence), not only as listed.
    const stored = await sql<{ text: string }>(database.url, `select m.text from messages m where m.conversation_id = '${conversation.id}' order by m.seq`)
    expect(stored.map((r) => r.text)).toEqual(texts)
    const { batches } = await view(gateway)
    expect(batches.applied).toBeGreaterThan(0)
    expect(batches.events).toBeGreaterThan(batches.applied)
  })

  it("loses no acknowledged message and doubles none when the partition's owner is killed -9 amid batches", async () => {
    const { database, start } = await startOne()
    const first = await start("gw0")
    const all = Array.from({ length: 3000 }, (_, n) => ({ raw: text(resident(n % 97), `melding ${n}`, `wamid.k${n}`), id: `wamid.k${n}` }))
    const acknowledged: Array<string> = []
    let next = 0
    let killed = false
    const worker = async () => {
      while (!killed && next < all.length) {
        const sent = all[next++]!
        const status = await postWebhook(first.url, sent.raw).then((r) => r.status, () => 0)
        if (status === 200) acknowledged.push(sent.id)
      }
    }
    const load = Promise.all(Array.from({ length: 16 }, worker))
    await eventually(async () => acknowledged.length, (n) => n >= 400, 60_000)
    // Batches are being applied when the kill comes.
    const before = (await view(first)).batches
    await first.kill()
    killed = true
    await load
    expect(next).toBeLessThan(all.length) // the kill came mid-load
    expect(before.applied).toBeGreaterThan(0)

    // The next owner gets what was not acknowledged (applied or not) from the stream.
    const second = await start("gw1")
    const afterKill = await eventually(() => countsById(database.url), (c) => acknowledged.every((id) => c.has(id)), 60_000)
    for (const id of acknowledged) expect(afterKill.get(id), id).toBe(1)
    // Meta redelivers everything it sent: each lands exactly once.
    for (const sent of all.slice(0, next)) expect((await postWebhook(second.url, sent.raw)).status).toBe(200)
    const final = await eventually(() => countsById(database.url), (c) => c.size >= next, 60_000)
    expect(final.size).toBe(next)
    expect([...final.values()].every((n) => n === 1)).toBe(true)
  })
})
