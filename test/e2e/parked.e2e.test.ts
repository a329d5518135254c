/** An event that keeps failing is parked with its cause — never dropped — and an admin can retry it. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { auth, eventually, startGatewayOnFile, type TestGateway } from "../support/gateway.ts"
import { openSideConnection } from "../support/side-connection.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

let gw: TestGateway
let file: string
beforeAll(async () => {
  ;({ gw, file } = await startGatewayOnFile())
})
afterAll(() => gw.close())

async function sideExec(statement: string) {
  const side = openSideConnection(file)
  try {
    await side.exec(statement)
  } finally {
    side.close()
  }
}

const admin = (path: string, init: RequestInit = {}) => fetch(`${gw.url}/api/v1/admin${path}`, { ...init, headers: { ...auth, ...init.headers } })

describe("parked events", () => {
  it("parks a message whose storing keeps failing, lists it with its cause, and stores it on retry", async () => {
    await sideExec(`CREATE TRIGGER broken BEFORE INSERT ON messages WHEN NEW.dedupe_key = 'whatsapp:msg:wamid.parked' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`)
    const from = "31695000000"
    const res = await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from })], messages: [fixtures.textMessage({ from, id: "wamid.parked", body: "Blijf bewaard" })] }))
    expect(res.status).toBe(200) // durable in the inbox: Meta need not redeliver

    const parked = await eventually(async () => (await (await admin("/parked")).json()).items, (items: Array<any>) => items.length === 1)
    expect(parked[0]).toMatchObject({ key: "whatsapp:msg:wamid.parked", kind: "message", attempts: 5, lastError: expect.stringContaining("disk I/O error") })
    expect(JSON.stringify(parked)).not.toContain("Blijf bewaard") // the list shows causes, not residents' words

    await sideExec("DROP TRIGGER broken")
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
