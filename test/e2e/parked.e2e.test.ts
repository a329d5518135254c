/**
 * An event that keeps failing is parked with its cause — never dropped — and an admin can retry
 * it. Runs on SQLite and on PostgreSQL (vitest project `postgres`): the cause an admin reads
 * names the failure, never the resident's words or number.
 */
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { auth, baseEnv, eventually, PLAYBOOK_OFF, startGateway, type TestGateway } from "../support/gateway.ts"
import { openSideConnection } from "../support/side-connection.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway(baseEnv(PLAYBOOK_OFF))
})
afterAll(() => gw.close())

const onPostgres = () => gw.databaseUrl.startsWith("postgres")

/** Runs a statement beside the gateway, on its database: `sqlite` on the file, `postgres` on the server. */
async function sideExec(statements: { sqlite: string; postgres: string }) {
  if (onPostgres()) {
    const client = new pg.Client({ connectionString: gw.databaseUrl })
    await client.connect()
    try {
      await client.query(statements.postgres)
    } finally {
      await client.end()
    }
    return
  }
  const side = openSideConnection(gw.databaseUrl.replace(/^file:/, ""))
  try {
    await side.exec(statements.sqlite)
  } finally {
    side.close()
  }
}

const admin = (path: string, init: RequestInit = {}) => fetch(`${gw.url}/api/v1/admin${path}`, { ...init, headers: { ...auth, ...init.headers } })

describe("parked events", () => {
  it("parks a message whose storing keeps failing, lists it with its cause, and stores it on retry", async () => {
    await sideExec({
      sqlite: `CREATE TRIGGER broken BEFORE INSERT ON messages WHEN NEW.dedupe_key = 'whatsapp:msg:wamid.parked' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`,
      postgres: `CREATE FUNCTION broken() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          IF NEW.dedupe_key = 'whatsapp:msg:wamid.parked' THEN RAISE EXCEPTION 'disk I/O error'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER broken BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION broken();`
    })
    const from = "31695000000"
    const res = await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from })], messages: [fixtures.textMessage({ from, id: "wamid.parked", body: "Blijf bewaard" })] }))
    expect(res.status).toBe(200) // durable in the inbox: Meta need not redeliver

    const parked = await eventually(async () => (await (await admin("/parked")).json()).items, (items: Array<any>) => items.length === 1)
    expect(parked[0]).toMatchObject({
      key: "whatsapp:msg:wamid.parked", kind: "message", attempts: 5,
      // SQLite reports the trigger's text; of PostgreSQL's error only the statement, table and SQLSTATE are kept.
      lastError: onPostgres() ? expect.stringMatching(/insert on messages failed: SQLSTATE P0001 raise_exception/) : expect.stringContaining("disk I/O error")
    })
    // The list shows causes, not residents' words or numbers (drizzle's "params: …" carried both).
    expect(JSON.stringify(parked)).not.toContain("Blijf bewaard")
    expect(JSON.stringify(parked)).not.toContain(from)

    await sideExec({ sqlite: "DROP TRIGGER broken", postgres: "DROP TRIGGER broken ON messages" })
    const retry = await admin(`/parked/${parked[0].seq}/retry`, { method: "POST" })
    expect(retry.status).toBe(202)
    const conversation = await eventually(async () => (await allConversations(gw.url)).find((c) => c.contact.handle === from), (c) => c !== undefined)
    expect((await eventually(() => allMessages(gw.url, conversation.id), (m) => m.length === 1))[0].text).toBe("Blijf bewaard")
    expect((await (await admin("/parked")).json()).items).toEqual([])
    expect((await admin(`/parked/${parked[0].seq}/retry`, { method: "POST" })).status).toBe(404)
  })

  it("says an item that was never understood cannot be retried, and keeps the list for admins", async () => {
    const broken = { from: "31695000001", timestamp: "1760000000", type: "text", text: { body: "zonder id" } }
    await postWebhook(gw.url, fixtures.webhookBody({ messages: [broken] }))
    const items = await eventually(async () => (await (await admin("/parked")).json()).items, (list: Array<any>) => list.some((i) => i.kind === "rejected"))
    const rejected = items.find((i: any) => i.kind === "rejected")
    expect(rejected.lastError).toContain("id")
    expect((await admin(`/parked/${rejected.seq}/retry`, { method: "POST" })).status).toBe(409)
    expect((await admin("/parked/abc/retry", { method: "POST" })).status).toBe(400)
  })

  it("answers 401 without a token", async () => {
    expect((await fetch(`${gw.url}/api/v1/admin/parked`)).status).toBe(401)
  })
})
