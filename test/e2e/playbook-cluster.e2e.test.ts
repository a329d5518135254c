/**
 * The playbook in cluster mode: two gateway processes on one PostgreSQL database and NATS, the
 * Graph API stand-in. Residents write to either instance while closed; the leader is killed
 * (kill -9) before the opening; the survivor takes over the leader lease and the partitions and
 * sends each resident's follow-up once at the opening — no reply and no template twice.
 */
import { afterEach, describe, expect, it } from "vitest"
import pg from "pg"
import { ADMIN_TOKEN, APP_SECRET, auth, type ChildGateway, eventually, startChildGateway } from "../support/gateway.ts"
import { startGraphStandIn } from "../support/graph-stand-in.ts"
import { FOLLOW_UP, FOLLOW_UP_REQUEST_TEMPLATE, FOLLOW_UP_TEMPLATE, openingSoon, patchSettings, TZ } from "../support/playbook.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "../support/services.ts"
import { api, fixtures, postWebhook } from "../support/whatsapp.ts"

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

describe("the playbook in cluster mode", () => {
  it("fires each follow-up once, on the leader that is left after the first one was killed", async () => {
    const token = "cluster-playbook-token"
    const standIn = await startGraphStandIn({ accessToken: token, wabaId: fixtures.DEFAULT_WABA_ID })
    cleanups.push(() => standIn.close())
    standIn.templates([FOLLOW_UP_TEMPLATE])
    const database = await freshPostgresDatabase()
    const ns = natsNamespace()
    cleanups.push(() => database.drop(), () => purgeNatsNamespace(natsUrl(), ns))
    const gateways: Array<ChildGateway> = []
    for (const i of [0, 1]) {
      const gateway = await startChildGateway({
        DATABASE_URL: database.url, NATS_URL: natsUrl(), LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: "8", LOKET_LEASE_MS: "2000",
        LOKET_INSTANCE_ID: `playbook-gw${i}`, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN, LOKET_DB_POOL_SIZE: "3",
        LOKET_TIMEZONE: TZ, GRAPH_API_URL: standIn.url, WHATSAPP_ACCESS_TOKEN: token, WHATSAPP_BUSINESS_ACCOUNT_ID: fixtures.DEFAULT_WABA_ID,
        WHATSAPP_PHONE_NUMBER_ID: fixtures.DEFAULT_PHONE_NUMBER_ID
      })
      gateways.push(gateway)
      cleanups.push(() => gateway.kill())
    }
    await eventually(async () => (await api(gateways[0]!.url, "/templates")).body.items, (items: Array<any>) => items.some((t) => t.name === "loket_follow_up"))
    const { opening, overrides } = openingSoon()
    expect((await patchSettings(gateways[0]!.url, { officeHours: { overrides }, followUp: FOLLOW_UP })).status).toBe(200)
    // Seen by the other instance (the settings ring) before residents write to it.
    await eventually(async () => (await api(gateways[1]!.url, "/settings")).body.followUp.enabled, (on) => on === true, 10_000)

    // Their windows are open for the reply and closed by the opening.
    const wrote = Math.floor(Date.now() / 1000) - 24 * 3600 + 40
    const residents = Array.from({ length: 8 }, (_, i) => `3162000000${i}`)
    for (const [i, waId] of residents.entries()) {
      for (const n of [1, 2]) {
        const body = fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: [fixtures.textMessage({ from: waId, body: `Vraag ${n}`, timestamp: String(wrote) })] })
        expect((await postWebhook(gateways[(i + n) % 2]!.url, body)).status).toBe(200)
      }
    }
    const sentTo = (type: string) => new Map(residents.map((waId) => [waId, standIn.sent.filter((s) => s.body.to === waId && s.body.type === type).length]))
    await eventually(async () => sentTo("text"), (m) => [...m.values()].every((n) => n === 1), 30_000)

    // Kill the leader (it runs the timer watch) before the opening.
    const leads = async (g: ChildGateway) => ((await (await fetch(`${g.url}/api/v1/admin/cluster`, { headers: auth })).json()) as { leader: boolean }).leader
    const leader = await eventually(async () => (await leads(gateways[0]!)) ? 0 : (await leads(gateways[1]!)) ? 1 : -1, (i) => i >= 0)
    expect(Date.now()).toBeLessThan(opening)
    await gateways[leader]!.kill()
    const survivor = gateways[1 - leader]!

    await eventually(async () => sentTo("template"), (m) => [...m.values()].every((n) => n >= 1), 200_000)
    // Every template in Meta's format; a little longer for any second sender to show itself.
    expect(await leads(survivor)).toBe(true)
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    cleanups.push(() => client.end())
    const timers = await eventually(
      async () => (await client.query("select state, outcome from timers")).rows as Array<{ state: string; outcome: string }>,
      (rows) => rows.length === residents.length && rows.every((r) => r.state === "fired"),
      10_000
    )
    expect(timers.every((r) => r.outcome === "template sent")).toBe(true)
    expect([...sentTo("template").values()]).toEqual(residents.map(() => 1))
    expect([...sentTo("text").values()]).toEqual(residents.map(() => 1))
    for (const record of standIn.sent.filter((s) => s.body.type === "template")) expect(record.body.template).toEqual(FOLLOW_UP_REQUEST_TEMPLATE)
    expect(standIn.problems).toEqual([])
  }, 300_000)
})
