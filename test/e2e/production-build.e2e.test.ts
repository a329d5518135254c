/** The production build (`npm run build`, what the Docker image runs): bundled, migrations beside it, no TypeScript loader. */
import { execFileSync } from "node:child_process"
import { rmSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, APP_SECRET, type ChildGateway, eventually, startChildGateway, tempDir } from "../support/gateway.ts"
import { allConversations, fixtures, postWebhook } from "../support/whatsapp.ts"

let gateway: ChildGateway | undefined
const out = `.tmp/build-${process.pid}`
afterAll(async () => {
  await gateway?.kill()
  rmSync(join(new URL("../../", import.meta.url).pathname, out), { recursive: true, force: true })
})

describe("production build", () => {
  it("starts from dist without tsx, applies migrations and takes a webhook", async () => {
    const root = new URL("../../", import.meta.url).pathname
    execFileSync(process.execPath, ["scripts/build.mjs", out], { cwd: root })
    gateway = await startChildGateway(
      { DATABASE_URL: `file:${join(tempDir(), "loket.db")}`, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN },
      { bundle: join(root, out, "main.mjs") }
    )
    const from = "31694000000"
    const res = await postWebhook(gateway.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from })], messages: [fixtures.textMessage({ from, body: "Gebouwd" })] }))
    expect(res.status).toBe(200)
    const conversations = await eventually(() => allConversations(gateway!.url), (c) => c.length === 1)
    expect(conversations[0].contact.handle).toBe(from)
  }, 60_000)
})
