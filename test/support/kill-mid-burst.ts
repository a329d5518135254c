/**
 * The kill -9 test every channel runs: a burst of webhooks from 16 senders into a gateway child on
 * SQLite, killed once `killAfter` are acknowledged; after a restart every message of every webhook
 * answered 200 is stored exactly once, and the provider's redelivery of all that was posted (the
 * unanswered and the repeats) adds each once.
 */
import { join } from "node:path"
import Database from "better-sqlite3"
import { expect } from "vitest"
import { type ChildGateway, eventually, startChildGateway, tempDir } from "./gateway.ts"

export interface Burst<W> {
  /** The channel's environment (its secrets); the database and admin token are added. */
  readonly env: Record<string, string>
  readonly webhooks: ReadonlyArray<W>
  readonly post: (url: string, webhook: W) => Promise<Response>
  /** The dedupe keys of the messages a webhook carries. */
  readonly keysOf: (webhook: W) => ReadonlyArray<string>
  /** The channel's dedupe key prefix (`sms:`, `telegram:`, …). */
  readonly prefix: string
  readonly killAfter: number
  readonly timeoutMs: number
}

const storedKeys = (file: string, prefix: string) => {
  const db = new Database(file, { readonly: true })
  try {
    const rows = db.prepare("select dedupe_key as key, count(*) as n from messages where dedupe_key like ? group by dedupe_key").all(`${prefix}%`) as Array<{ key: string; n: number }>
    return new Map(rows.map((r) => [r.key, r.n]))
  } finally {
    db.close()
  }
}

export async function killMidBurst<W>(burst: Burst<W>, children: Array<ChildGateway>): Promise<void> {
  const file = join(tempDir(), "loket.db")
  const env = { DATABASE_URL: `file:${file}`, LOKET_ADMIN_TOKEN: "t", ...burst.env }
  const first = await startChildGateway(env)
  children.push(first)
  const acknowledged: Array<W> = []
  let next = 0
  let killed = false
  const sender = async () => {
    while (!killed && next < burst.webhooks.length) {
      const webhook = burst.webhooks[next++]!
      const status = await burst.post(first.url, webhook).then((r) => r.status, () => 0)
      if (status === 200) acknowledged.push(webhook)
    }
  }
  const load = Promise.all(Array.from({ length: 16 }, sender))
  await eventually(async () => acknowledged.length, (n) => n >= burst.killAfter, burst.timeoutMs)
  await first.kill()
  killed = true
  await load
  expect(next).toBeLessThan(burst.webhooks.length) // the kill came mid-burst

  const second = await startChildGateway(env)
  children.push(second)
  const acked = acknowledged.flatMap(burst.keysOf)
  const afterRestart = await eventually(async () => storedKeys(file, burst.prefix), (k) => acked.every((key) => k.has(key)), burst.timeoutMs)
  for (const key of acked) expect(afterRestart.get(key), key).toBe(1)

  // The provider redelivers what it did not get a 200 for (and may repeat the rest): each lands once.
  const posted = burst.webhooks.slice(0, next)
  for (const webhook of posted) expect((await burst.post(second.url, webhook)).status).toBe(200)
  const expected = posted.flatMap(burst.keysOf).length
  const final = await eventually(async () => storedKeys(file, burst.prefix), (k) => k.size === expected, burst.timeoutMs)
  expect([...final.values()].every((n) => n === 1)).toBe(true)
  await second.kill()
}
