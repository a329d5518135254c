/**
 * Cluster mode: two gateway processes sharing one PostgreSQL database and NATS. A settings
 * change on one is seen by the other within a second (the NATS ring); without the ring, the
 * periodic version check (every 5 s) still brings it.
 */
import { afterEach, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, APP_SECRET, auth, type ChildGateway, eventually, startChildGateway } from "../support/gateway.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "../support/services.ts"
import { connect } from "nats"
import pg from "pg"

const { Client } = pg

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

async function startPair() {
  const database = await freshPostgresDatabase()
  const ns = natsNamespace()
  cleanups.push(() => database.drop(), () => purgeNatsNamespace(natsUrl(), ns))
  const gateways: Array<ChildGateway> = []
  for (const i of [0, 1]) {
    const gateway = await startChildGateway({
      DATABASE_URL: database.url, NATS_URL: natsUrl(), LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: "4", LOKET_LEASE_MS: "2000",
      LOKET_INSTANCE_ID: `settings-gw${i}`, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN, LOKET_DB_POOL_SIZE: "3"
    })
    gateways.push(gateway)
    cleanups.push(() => gateway.kill())
  }
  return { gateways, ns, database }
}

const settingsOf = async (url: string) => (await fetch(`${url}/api/v1/settings`, { headers: auth })).json() as Promise<any>
const patch = (url: string, body: unknown) =>
  fetch(`${url}/api/v1/settings`, { method: "PATCH", headers: { ...auth, "content-type": "application/merge-patch+json" }, body: JSON.stringify(body) })

describe("settings in cluster mode", () => {
  it("a PATCH on one instance is seen by the other's GET within a second, both ways", async () => {
    const { gateways: [a, b] } = await startPair()
    expect((await settingsOf(b!.url)).language).toBe("nl")

    let res = await patch(a!.url, { language: "en", access: "team" })
    expect(res.status).toBe(200)
    const changedAt = Date.now()
    const seen = await eventually(() => settingsOf(b!.url), (s) => s.language === "en" && s.access === "team", 1_000)
    expect(seen.language).toBe("en")
    expect(Date.now() - changedAt).toBeLessThan(1_000)

    res = await patch(b!.url, { officeHours: { closedDates: ["2026-12-24"] } })
    expect(res.status).toBe(200)
    const back = await eventually(() => settingsOf(a!.url), (s) => s.officeHours.closedDates.length === 1, 1_000)
    expect(back).toMatchObject({ language: "en", access: "team", officeHours: { closedDates: ["2026-12-24"] } })

    // Both instances audited into the one database.
    const audit = await (await fetch(`${a!.url}/api/v1/settings/audit`, { headers: auth })).json() as any
    expect(audit.items.map((e: any) => e.after.officeHours.closedDates.length)).toEqual([1, 0])

    // Changes to different keys made at the same moment on both instances are all kept (no lost update).
    const dates = ["2027-01-02", "2027-01-03", "2027-01-04", "2027-01-05"]
    const results = await Promise.all(dates.map((date, i) =>
      patch((i % 2 === 0 ? a : b)!.url, { officeHours: { overrides: { [date]: [] } } })))
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200])
    for (const gateway of [a!, b!]) {
      const final = await eventually(() => settingsOf(gateway.url), (s) => Object.keys(s.officeHours.overrides).length === 4, 1_000)
      expect(Object.keys(final.officeHours.overrides).sort()).toEqual(dates)
    }
    const entries = (await (await fetch(`${b!.url}/api/v1/settings/audit`, { headers: auth })).json() as any).items
    expect(entries).toHaveLength(2 + dates.length)
  })

  it("ignores a ring that carries nonsense, and picks up a change that came without a ring by its version check", async () => {
    const { gateways: [a, b], ns, database } = await startPair()
    const nc = await connect({ servers: natsUrl() })
    cleanups.push(() => nc.close())
    nc.publish(`${ns}.settings.changed`, "not json")
    nc.publish(`${ns}.settings.changed`, JSON.stringify({ version: "high" }))
    await nc.flush()
    expect((await patch(a!.url, { language: "en" })).status).toBe(200)
    await eventually(() => settingsOf(b!.url), (s) => s.language === "en", 1_000)

    // Written straight into the database: no instance rings; both find it by comparing versions.
    const pg = new Client({ connectionString: database.url })
    await pg.connect()
    cleanups.push(() => pg.end())
    await pg.query(`UPDATE settings SET document = '{"language":"en","access":"team"}'::jsonb, version = version + 1`)
    for (const gateway of [a!, b!]) {
      await eventually(() => settingsOf(gateway.url), (s) => s.access === "team", 5_000 + 5_000)
    }
  })
})
