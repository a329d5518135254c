/**
 * kill -9 during a burst of SMS webhooks: every post answered 200 must be stored exactly once
 * after a restart, and Twilio's retries of the rest add each once.
 */
import { join } from "node:path"
import Database from "better-sqlite3"
import { afterAll, describe, expect, it } from "vitest"
import { type ChildGateway, eventually, startChildGateway, tempDir } from "../support/gateway.ts"
import { inboundSms, postTwilio, smsEnv } from "../support/sms.ts"

const children: Array<ChildGateway> = []
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) await child.kill()
})

const keys = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    const rows = db.prepare("select dedupe_key as key, count(*) as n from messages where dedupe_key like 'sms:%' group by dedupe_key").all() as Array<{ key: string; n: number }>
    return new Map(rows.map((r) => [r.key, r.n]))
  } finally {
    db.close()
  }
}

describe("SMS under kill -9", () => {
  it("loses no acknowledged SMS and doubles none", async () => {
    const file = join(tempDir(), "loket.db")
    const env = { DATABASE_URL: `file:${file}`, LOKET_ADMIN_TOKEN: "t", ...smsEnv() }
    const first = await startChildGateway(env)
    children.push(first)

    const all = Array.from({ length: 3000 }, (_, n) => inboundSms(`+3161${String(2_000_000 + (n % 89)).padStart(7, "0")}`, `melding ${n}`))
    const acknowledged: Array<(typeof all)[number]> = []
    let next = 0
    let killed = false
    const worker = async () => {
      while (!killed && next < all.length) {
        const sms = all[next++]!
        const status = await postTwilio(first.url, sms).then((r) => r.status, () => 0)
        if (status === 200) acknowledged.push(sms)
      }
    }
    const load = Promise.all(Array.from({ length: 16 }, worker))
    await eventually(async () => acknowledged.length, (n) => n >= 300, 30_000)
    await first.kill()
    killed = true
    await load
    expect(next).toBeLessThan(all.length) // the kill came mid-burst

    const second = await startChildGateway(env)
    children.push(second)
    const acked = acknowledged.map((sms) => `sms:msg:${sms.MessageSid}`)
    const afterRestart = await eventually(async () => keys(file), (k) => acked.every((key) => k.has(key)), 30_000)
    for (const key of acked) expect(afterRestart.get(key), key).toBe(1)

    // Twilio retries whatever did not get a 2xx (and may repeat the rest): each lands once.
    const posted = all.slice(0, next)
    for (const sms of posted) expect((await postTwilio(second.url, sms)).status).toBe(200)
    const final = await eventually(async () => keys(file), (k) => k.size === posted.length, 30_000)
    expect([...final.values()].every((n) => n === 1)).toBe(true)
    await second.kill()
  }, 120_000)
})
