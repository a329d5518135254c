/**
 * Cluster mode: a resident's conversations are placed by the BSUID once it is known. An event
 * that names only the number (placed by the number) is handed on to the BSUID's partition, so
 * only that partition's owner writes the conversation.
 */
import { connect } from "nats"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { partitionOf } from "../../actors/cluster/partitionOf.ts"
import { residentPlacementKey } from "../../actors/cluster/Placement.ts"
import { auth, eventually, type TestGateway } from "../support/gateway.ts"
import { startOutboundGateway } from "../support/outbound.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "../support/services.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

const PARTITIONS = 12
let ctx: Awaited<ReturnType<typeof startOutboundGateway>>
let gw: TestGateway
let ns: string
let dropDatabase: () => Promise<void>
beforeAll(async () => {
  const database = await freshPostgresDatabase()
  dropDatabase = database.drop
  ns = natsNamespace()
  ctx = await startOutboundGateway({
    DATABASE_URL: database.url, NATS_URL: natsUrl(), LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: String(PARTITIONS), LOKET_LEASE_MS: "2000"
  })
  gw = ctx.gw
  // Every partition owned (one instance) before the first webhook.
  await eventually(async () => (await (await fetch(`${gw.url}/api/v1/admin/cluster`, { headers: auth })).json()).owned?.length, (n) => n === PARTITIONS, 20_000)
}, 60_000)
afterAll(async () => {
  await ctx?.close()
  await purgeNatsNamespace(natsUrl(), ns)
  await dropDatabase?.()
})

const place = (ids: { waId: string | null; userId: string | null }) => partitionOf(residentPlacementKey("whatsapp", fixtures.DEFAULT_PHONE_NUMBER_ID, ids), PARTITIONS)

/** Counts what is published on each event subject (the stream is a work queue: applied events leave it). */
async function watchSubjects() {
  const nc = await connect({ servers: natsUrl() })
  const seen: Record<string, number> = {}
  nc.subscribe(`${ns}.events.>`, { callback: (_error, msg) => void (seen[msg.subject] = (seen[msg.subject] ?? 0) + 1) })
  await nc.flush()
  return { seen, close: () => nc.close() }
}

describe("contacts in cluster mode", { timeout: 90_000 }, () => {
  it("hands a number-only message of a resident placed by BSUID to the BSUID's partition; one conversation holds both", async () => {
    // A number and a BSUID that hash to different partitions.
    let i = 0
    let waId = ""
    let userId = ""
    do {
      i++
      waId = `3167${String(i).padStart(7, "0")}`
      userId = `NL.99${String(i).padStart(8, "0")}`
    } while (place({ waId, userId: null }) === place({ waId: null, userId }))
    const byBsuid = `${ns}.events.${place({ waId: null, userId })}`
    const byNumber = `${ns}.events.${place({ waId, userId: null })}`

    const watch = await watchSubjects()
    const both = fixtures.webhookBody({ contacts: [fixtures.contact({ waId, userId })], messages: [fixtures.textMessage({ from: waId, userId, body: "een", timestamp: "1770000000" })] })
    expect((await postWebhook(gw.url, both)).status).toBe(200)
    const conversation = await eventually(async () => (await allConversations(gw.url)).find((c) => c.contact.userId === userId), (c) => c !== undefined, 20_000)
    const numberOnly = fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: [fixtures.textMessage({ from: waId, body: "twee", timestamp: "1770000001" })] })
    expect((await postWebhook(gw.url, numberOnly)).status).toBe(200)

    const texts = await eventually(async () => (await allMessages(gw.url, conversation!.id)).map((m) => m.text), (t) => t.length === 2, 20_000)
    expect(texts).toEqual(["een", "twee"])
    expect(await allConversations(gw.url).then((all) => all.filter((c) => c.contact.handle === waId || c.contact.userId === userId).length)).toBe(1)
    // The number-only message came in on the number's partition and was applied from the BSUID's.
    await watch.close()
    expect(watch.seen).toEqual({ [byNumber]: 1, [byBsuid]: 2 })
  })

  it("merges number-only and BSUID-only contacts once a message names both; the reply goes to the number", async () => {
    const waId = "31679999999"
    const userId = "NL.5555555555"
    const write = async (o: { waId?: string; userId?: string }, id: string) => {
      const message = fixtures.textMessage({ from: o.waId ?? null, ...(o.userId === undefined ? {} : { userId: o.userId }), body: id, id, timestamp: String(Math.floor(Date.now() / 1000)) })
      expect((await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact(o)], messages: [message] }))).status).toBe(200)
    }
    const mine = async () => (await allConversations(gw.url)).filter((c) => c.contact.handle === waId || c.contact.userId === userId)
    await write({ waId }, "wamid.k1")
    await eventually(mine, (c) => c.length === 1, 20_000)
    await write({ userId }, "wamid.k2")
    await eventually(mine, (c) => c.length === 2, 20_000)
    await write({ waId, userId }, "wamid.k3")
    const [merged] = await eventually(mine, (c) => c.length === 1 && c[0].contact.userId === userId, 20_000)
    const texts = await eventually(async () => (await allMessages(gw.url, merged.id)).map((m) => m.text), (t) => t.length === 3, 20_000)
    expect(texts.sort()).toEqual(["wamid.k1", "wamid.k2", "wamid.k3"])
    const res = await fetch(`${gw.url}/api/v1/conversations/${merged.id}/messages`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: "Dank u" }) })
    expect(res.status).toBe(202)
    const queued = await res.json()
    const sent = await eventually(async () => ctx.graph.sent.find((s) => s.body.biz_opaque_callback_data === queued.id), (s) => s !== undefined, 20_000)
    expect(sent!.body.to).toBe(waId)
    ctx.graph.assertValid()
  })
})
