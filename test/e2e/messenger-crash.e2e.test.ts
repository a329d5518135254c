/**
 * kill -9 during a burst of Messenger and of Instagram webhooks: every message in a webhook
 * answered 200 is stored exactly once after a restart, and Meta's redelivery of the rest (and
 * repeats of what was acknowledged) adds each once. Messenger's webhooks carry two messages each
 * (Meta batches): an acknowledged batch is stored whole.
 */
import { join } from "node:path"
import Database from "better-sqlite3"
import { afterAll, describe, expect, it } from "vitest"
import { type ChildGateway, eventually, startChildGateway, tempDir } from "../support/gateway.ts"
import { fromResident, IG_ACCOUNT_ID, instagramEnv, messengerEnv, mid, postMeta, webhook } from "../support/meta-messaging.ts"

const children: Array<ChildGateway> = []
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) await child.kill()
})

const keys = (file: string, channel: string) => {
  const db = new Database(file, { readonly: true })
  try {
    const rows = db.prepare("select dedupe_key as key, count(*) as n from messages where dedupe_key like ? group by dedupe_key").all(`${channel}:%`) as Array<{ key: string; n: number }>
    return new Map(rows.map((r) => [r.key, r.n]))
  } finally {
    db.close()
  }
}

async function burst(channel: "messenger" | "instagram", perWebhook: number) {
  const file = join(tempDir(), "loket.db")
  const env = { DATABASE_URL: `file:${file}`, LOKET_ADMIN_TOKEN: "t", ...messengerEnv(), ...instagramEnv() }
  const first = await startChildGateway(env)
  children.push(first)
  const object = channel === "messenger" ? "page" : "instagram"
  const account = channel === "messenger" ? {} : { account: IG_ACCOUNT_ID }
  const all = Array.from({ length: 1500 }, (_, n) => {
    const items = Array.from({ length: perWebhook }, (_, i) =>
      fromResident(String(6_100_000_000_000_000 + ((n * perWebhook + i) % 97)), { message: { mid: mid(channel === "messenger" ? "m_" : "aWdf"), text: `melding ${n}.${i}` } }, account))
    return { body: webhook(object, items), keys: items.map((item) => `${channel}:msg:${(item as unknown as { message: { mid: string } }).message.mid}`) }
  })
  const acknowledged: Array<(typeof all)[number]> = []
  let next = 0
  let killed = false
  const worker = async () => {
    while (!killed && next < all.length) {
      const hook = all[next++]!
      const status = await postMeta(first.url, channel, hook.body).then((r) => r.status, () => 0)
      if (status === 200) acknowledged.push(hook)
    }
  }
  const load = Promise.all(Array.from({ length: 16 }, worker))
  await eventually(async () => acknowledged.length, (n) => n >= 200, 60_000)
  await first.kill()
  killed = true
  await load
  expect(next).toBeLessThan(all.length) // the kill came mid-burst

  const second = await startChildGateway(env)
  children.push(second)
  const acked = acknowledged.flatMap((hook) => hook.keys)
  const afterRestart = await eventually(async () => keys(file, channel), (k) => acked.every((key) => k.has(key)), 60_000)
  for (const key of acked) expect(afterRestart.get(key), key).toBe(1)

  // Meta redelivers what it did not get a 200 for (and may repeat the rest): each lands once.
  const posted = all.slice(0, next)
  for (const hook of posted) expect((await postMeta(second.url, channel, hook.body)).status).toBe(200)
  const expected = posted.length * perWebhook
  const final = await eventually(async () => keys(file, channel), (k) => k.size === expected, 60_000)
  expect([...final.values()].every((n) => n === 1)).toBe(true)
  await second.kill()
}

describe("Messenger and Instagram under kill -9", () => {
  it("Messenger: loses no acknowledged batch and doubles none", () => burst("messenger", 2), 180_000)
  it("Instagram: loses no acknowledged message and doubles none", () => burst("instagram", 1), 180_000)
})
