/**
 * kill -9 under load: the gateway runs as a child process (`npm start`'s entry), is loaded with
 * webhooks, killed without warning, restarted on the same SQLite file. Every acknowledged
 * message must be there exactly once — and Meta's redelivery of the rest adds each once.
 */
import { join } from "node:path"
import Database from "better-sqlite3"
import { afterAll, describe, expect, it } from "vitest"
import { APP_SECRET, type ChildGateway, eventually, PLAYBOOK_OFF, startChildGateway, tempDir } from "../support/gateway.ts"
import { fixtures } from "../support/whatsapp.ts"

const children: Array<ChildGateway> = []
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) await child.kill()
})

interface Sent {
  readonly raw: string
  readonly ids: Array<string>
}

function webhook(n: number): Sent {
  const waId = `3161${String(n % 97).padStart(7, "0")}`
  const messages = [0, 1].map((k) => fixtures.textMessage({ from: waId, body: `melding ${n}.${k}`, timestamp: String(1_800_000_000 + n) }))
  const raw = JSON.stringify(fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages }))
  return { raw, ids: messages.map((m) => m.id as string) }
}

const post = (url: string, sent: Sent) =>
  fetch(`${url}/webhooks/whatsapp`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": fixtures.sign(sent.raw, APP_SECRET) },
    body: sent.raw
  }).then((res) => res.status, () => 0)

const counts = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    return new Map((db.prepare("select provider_message_id as id, count(*) as n from messages group by provider_message_id").all() as Array<{ id: string; n: number }>).map((r) => [r.id, r.n]))
  } finally {
    db.close()
  }
}

describe("kill -9", () => {
  it("loses no acknowledged message and doubles none, across a crash under load", async () => {
    const file = join(tempDir(), "loket.db")
    const env = { DATABASE_URL: `file:${file}`, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: "t", ...PLAYBOOK_OFF }
    const first = await startChildGateway(env)
    children.push(first)

    const all: Array<Sent> = Array.from({ length: 3000 }, (_, n) => webhook(n))
    const acknowledged: Array<Sent> = []
    let next = 0
    let killed = false
    const worker = async () => {
      while (!killed && next < all.length) {
        const sent = all[next++]!
        if ((await post(first.url, sent)) === 200) acknowledged.push(sent)
      }
    }
    const load = Promise.all(Array.from({ length: 16 }, worker))
    await eventually(async () => acknowledged.length, (n) => n >= 400, 30_000)
    await first.kill() // in the middle of the load: requests are in flight
    killed = true
    await load
    expect(acknowledged.length).toBeGreaterThanOrEqual(400)
    expect(next).toBeLessThan(all.length) // the kill came mid-load

    const second = await startChildGateway(env)
    children.push(second)
    const ackedIds = acknowledged.flatMap((s) => s.ids)
    const afterRestart = await eventually(async () => counts(file), (c) => ackedIds.every((id) => c.has(id)), 30_000)
    for (const id of ackedIds) expect(afterRestart.get(id), id).toBe(1)

    // Meta redelivers everything it sent (acknowledged or not): each lands exactly once.
    const sentSoFar = all.slice(0, next)
    for (const sent of sentSoFar) expect(await post(second.url, sent)).toBe(200)
    const everyId = sentSoFar.flatMap((s) => s.ids)
    const final = await eventually(async () => counts(file), (c) => everyId.every((id) => c.has(id)), 30_000)
    expect([...final.values()].every((n) => n === 1)).toBe(true)
    expect(final.size).toBe(everyId.length)
    await second.kill()
  }, 120_000)
})
