/**
 * Working a conversation in cluster mode (real NATS JetStream, real PostgreSQL, two gateway
 * processes): an assign, a close and a note asked of the instance that does not host the
 * conversation travel to its owner over NATS, are applied once, and are seen on both.
 */
import { afterEach, describe, expect, it } from "vitest"
import { residentPlacementKey } from "../../actors/cluster/Placement.ts"
import { partitionOf } from "../../actors/cluster/partitionOf.ts"
import { ADMIN_TOKEN, APP_SECRET, auth, type ChildGateway, eventually, startChildGateway } from "../support/gateway.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "../support/services.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

const PARTITIONS = 12
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

async function startCluster() {
  const database = await freshPostgresDatabase()
  const ns = natsNamespace()
  cleanups.push(() => database.drop(), () => purgeNatsNamespace(natsUrl(), ns))
  const gateways: Array<ChildGateway> = []
  for (let i = 0; i < 2; i++) {
    const gateway = await startChildGateway({
      DATABASE_URL: database.url, NATS_URL: natsUrl(), LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: String(PARTITIONS), LOKET_LEASE_MS: "2000",
      LOKET_INSTANCE_ID: `gw${i}`, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN, LOKET_DB_POOL_SIZE: "5"
    })
    gateways.push(gateway)
    cleanups.push(() => gateway.kill())
  }
  const owned = (url: string) => fetch(`${url}/api/v1/admin/cluster`, { headers: auth }).then((r) => r.json() as Promise<{ owned: Array<number> }>)
  const views = await eventually(() => Promise.all(gateways.map((g) => owned(g.url))), (v) => {
    const all = v.flatMap((x) => x.owned)
    return all.length === PARTITIONS && new Set(all).size === PARTITIONS && v.every((x) => x.owned.length > 0)
  }, 30_000)
  return { gateways: gateways as [ChildGateway, ChildGateway], ownedByA: new Set(views[0]!.owned) }
}

async function call(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}/api/v1${path}`, {
    method, headers: { ...auth, ...(body === undefined ? {} : { "content-type": "application/json" }) }, body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: res.status, json: await res.json().catch(() => undefined) as any }
}

describe("working a conversation in cluster mode", { timeout: 120_000 }, () => {
  it("an assign, a close and a note asked of instance B reach the conversation's owner A, once", async () => {
    const { gateways: [a, b], ownedByA } = await startCluster()
    // Residents until one lands on a partition A hosts.
    let waId = ""
    for (let i = 0; i < 64 && waId === ""; i++) {
      const candidate = `3162${String(i).padStart(7, "0")}`
      if (ownedByA.has(partitionOf(residentPlacementKey("whatsapp", fixtures.DEFAULT_PHONE_NUMBER_ID, { waId: candidate, userId: null }), PARTITIONS))) waId = candidate
    }
    expect(waId).not.toBe("")
    const hook = fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: [fixtures.textMessage({ from: waId, body: "Hallo", timestamp: String(Math.floor(Date.now() / 1000)) })] })
    expect((await postWebhook(a.url, hook)).status).toBe(200)
    const conversation = (await eventually(() => allConversations(b.url), (items) => items.some((c) => c.contact.handle === waId), 20_000)).find((c) => c.contact.handle === waId)

    const team = await call(b.url, "POST", "/teams", { name: "Afval" })
    expect(team.status).toBe(201)
    const assigned = await call(b.url, "POST", `/conversations/${conversation.id}/assign`, { team: team.json.id })
    expect(assigned.status).toBe(200)
    expect(assigned.json).toMatchObject({ id: conversation.id, team: team.json.id, assignee: null })
    expect((await call(b.url, "POST", `/conversations/${conversation.id}/assign`, { team: team.json.id })).status).toBe(200)
    expect((await call(b.url, "POST", `/conversations/${conversation.id}/assign`, { team: "tm_nope" })).json.error.details[0].path).toBe("team")
    const note = await call(b.url, "POST", `/conversations/${conversation.id}/notes`, { text: "Overgedragen aan afval" })
    expect(note.status).toBe(201)
    expect(note.json).toMatchObject({ type: "note", direction: "internal" })
    expect((await call(b.url, "POST", `/conversations/${conversation.id}/close`)).json.status).toBe("closed")

    const onA = (await call(a.url, "GET", `/conversations/${conversation.id}`)).json
    expect(onA).toMatchObject({ team: team.json.id, status: "closed" })
    expect((await allMessages(a.url, conversation.id)).filter((m) => m.type === "note")).toHaveLength(1)
    const audit = (await call(a.url, "GET", `/audit?target=${encodeURIComponent(`conversation:${conversation.id}`)}`)).json.items.map((e: any) => e.action)
    expect(audit.sort()).toEqual(["conversation.assign", "conversation.close", "conversation.note"])
  })
})
