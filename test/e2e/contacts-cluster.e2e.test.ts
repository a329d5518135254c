/**
 * Cluster mode: a resident's conversations are placed by the BSUID once it is known. An event
 * that names only the number (placed by the number) is handed on to the BSUID's partition, so
 * only that partition's owner writes the conversation.
 */
import { connect } from "nats"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { partitionOf } from "../../actors/cluster/partitionOf.ts"
import { residentPlacementKey } from "../../actors/cluster/Placement.ts"
import { baseEnv, eventually, startGateway, type TestGateway } from "../support/gateway.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "../support/services.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

const PARTITIONS = 12
let gw: TestGateway
let ns: string
let dropDatabase: () => Promise<void>
beforeAll(async () => {
  const database = await freshPostgresDatabase()
  dropDatabase = database.drop
  ns = natsNamespace()
  gw = await startGateway(baseEnv({
    DATABASE_URL: database.url, NATS_URL: natsUrl(), LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: String(PARTITIONS), LOKET_LEASE_MS: "2000"
  }))
}, 60_000)
afterAll(async () => {
  await gw?.close()
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
})
