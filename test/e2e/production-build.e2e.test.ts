/**
 * The production build (`npm run build`, what the Docker image runs): bundled, migrations of both
 * dialects beside it, no TypeScript loader — embedded on SQLite, and in cluster mode on PostgreSQL and NATS.
 */
import { execFileSync } from "node:child_process"
import { readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, APP_SECRET, type ChildGateway, eventually, freePort, spawnListening, startChildGateway, tempDir } from "../support/gateway.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "../support/services.ts"
import { allConversations, fixtures, postWebhook } from "../support/whatsapp.ts"

const root = new URL("../../", import.meta.url).pathname
const out = `.tmp/build-${process.pid}`
const cleanups: Array<() => Promise<unknown>> = []
beforeAll(() => {
  execFileSync(process.execPath, ["scripts/build.mjs", out], { cwd: root })
})
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
  rmSync(join(root, out), { recursive: true, force: true })
})

async function takesAWebhook(env: Record<string, string>, from: string) {
  const gateway: ChildGateway = await startChildGateway(
    { WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    { bundle: join(root, out, "main.mjs") }
  )
  cleanups.push(() => gateway.kill())
  const res = await postWebhook(gateway.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from })], messages: [fixtures.textMessage({ from, body: "Gebouwd" })] }))
  expect(res.status).toBe(200)
  const conversations = await eventually(() => allConversations(gateway.url), (c) => c.length === 1)
  expect(conversations[0].contact.handle).toBe(from)
}

describe("production build", () => {
  it("starts from dist without tsx, applies migrations and takes a webhook", async () => {
    await takesAWebhook({ DATABASE_URL: `file:${join(tempDir(), "loket.db")}` }, "31694000000")
  }, 60_000)

  it("runs cluster mode from dist: PostgreSQL migrations beside the bundle, events through NATS", async () => {
    const database = await freshPostgresDatabase()
    const ns = natsNamespace()
    cleanups.push(() => database.drop(), () => purgeNatsNamespace(natsUrl(), ns))
    await takesAWebhook({ DATABASE_URL: database.url, NATS_URL: natsUrl(), LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: "4" }, "31694000001")
  }, 60_000)

  it("serves the widget script built beside the bundle, with esbuild out of reach (the image prunes dev dependencies)", async () => {
    // A resolve hook that refuses esbuild, as if `npm prune --omit=dev` had removed it.
    const hook = `export async function resolve(s, c, next) { if (s === "esbuild" || s.startsWith("esbuild/")) throw new Error("esbuild is pruned"); return next(s, c) }`
    const prune = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)})`
    const port = await freePort()
    const gateway = await spawnListening(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(prune)}`, join(root, out, "main.mjs")], {
      DATABASE_URL: `file:${join(tempDir(), "loket.db")}`, LOKET_ADMIN_TOKEN: ADMIN_TOKEN, PORT: String(port), HOST: "127.0.0.1"
    }, "Loket listening", "gateway")
    cleanups.push(async () => {
      gateway.child.kill("SIGKILL")
      await gateway.exited
    })
    const answer = await fetch(`http://127.0.0.1:${port}/widget.js`)
    expect(answer.status).toBe(200)
    expect(await answer.text()).toBe(readFileSync(join(root, out, "widget.js"), "utf8"))
  }, 60_000)
})
