/** The same gateway under Bun (Bun.serve, bun:sqlite): a webhook → agent API round trip. */
import { join } from "node:path"
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
    expect(bun.output()).toContain("Loket listening")
  }, 60_000)
})
