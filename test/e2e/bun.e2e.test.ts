/** The same gateway under Bun (Bun.serve, bun:sqlite): a webhook → agent API round trip. */
import { join } from "node:path"
import BetterSqlite from "better-sqlite3"
import { afterAll, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, APP_SECRET, type ChildGateway, eventually, PLAYBOOK_OFF, startChildGateway, tempDir } from "../support/gateway.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

let bun: ChildGateway | undefined
afterAll(() => bun?.kill())

describe("on Bun", () => {
  it("takes a signed webhook and shows the message in the agent API", async () => {
    const dir = tempDir()
    bun = await startChildGateway({ DATABASE_URL: `file:${join(dir, "loket.db")}`, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN, ...PLAYBOOK_OFF }, "bun")
    const from = "31693000000"
    const body = fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from, name: "Bram" })], messages: [fixtures.textMessage({ from, body: "Hallo vanaf Bun" })] })
    const res = await postWebhook(bun.url, body)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ accepted: 1 })
    expect((await postWebhook(bun.url, body, { signature: null })).status).toBe(401)

    const conversation = await eventually(() => allConversations(bun!.url), (c) => c.length === 1).then((c) => c[0])
    expect(conversation.contact).toMatchObject({ handle: from, name: "Bram" })
    const messages = await eventually(() => allMessages(bun!.url, conversation.id), (m) => m.length === 1)
    expect(messages[0]).toMatchObject({ text: "Hallo vanaf Bun", direction: "inbound", status: "received" })
    // The text search over bun:sqlite's FTS5 index (the message is found before and after the indexer adds it).
    const search = async () => {
      const res = await fetch(`${bun!.url}/api/v1/conversations?status=all&q=vanaf%20bun`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
      return ((await res.json()) as { items: Array<{ id: string }> }).items.map((c) => c.id)
    }
    expect(await search()).toEqual([conversation.id])
    // …and Bun's gateway adds it to the index (drizzle/SearchIndexer.ts), read from the file itself.
    const indexed = () => {
      const db = new BetterSqlite(join(dir, "loket.db"), { readonly: true })
      try {
        return (db.prepare("select count(*) as n from message_search where message_search match '\"vanaf bun\"'").get() as { n: number }).n
      } finally {
        db.close()
      }
    }
    expect(await eventually(async () => indexed(), (n) => n === 1)).toBe(1)
    expect(await search()).toEqual([conversation.id])
    expect(bun.output()).toContain("Loket listening")
  }, 60_000)
})
