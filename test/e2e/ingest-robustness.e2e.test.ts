/** Group commit, all-or-nothing batches, and a fuzzed webhook that never gets a 500. */
import { Effect, Layer } from "effect"
import { Database, type Db } from "../../drizzle/Database.ts"
import type { Sync } from "../../drizzle/GroupCommit.ts"
import { makeSqliteShape, openBetterSqlite, preparedControl, SQLITE_PRAGMAS } from "../../drizzle/sqlite.ts"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Transport } from "../../actors/Transport.ts"
import { join } from "node:path"
import { baseEnv, eventually, PLAYBOOK_OFF, startGateway, startGatewayOnFile, tempDir, type TestGateway } from "../support/gateway.ts"
import { openSideConnection } from "../support/side-connection.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

let gw: TestGateway
let file: string
beforeAll(async () => {
  ;({ gw, file } = await startGatewayOnFile())
})
afterAll(() => gw.close())

const oneText = (from: string, id?: string) =>
  fixtures.textMessage({ from, body: "test", ...(id === undefined ? {} : { id }) })

describe("ingest", () => {
  it("makes concurrent webhooks durable in shared commits (group commit, default FULL durability)", async () => {
    const full = await startGateway(baseEnv({ LOKET_SQLITE_SYNCHRONOUS: "FULL" }))
    try {
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) =>
        postWebhook(full.url, fixtures.webhookBody({ messages: [oneText(`3162${String(i).padStart(7, "0")}`)] })).then((r) => r.status)))
      expect(answers.every((s) => s === 200)).toBe(true)
      const stats = full.runtime.runSync(Transport.use((t) => Effect.sync(t.stats)))
      expect(stats.webhooks).toBe(200)
      expect(stats.commits).toBeLessThan(200)
    } finally {
      await full.close()
    }
  })

  it("hands a resident's events to its actor in the order the inbox took them, from concurrent webhooks (FULL)", async () => {
    const dir = tempDir()
    const full = await startGateway(baseEnv({ DATABASE_URL: `file:${join(dir, "loket.db")}`, LOKET_SQLITE_SYNCHRONOUS: "FULL" }))
    const side = openSideConnection(join(dir, "loket.db"))
    try {
      const from = "31650000001"
      const answers = await Promise.all(Array.from({ length: 60 }, (_, i) =>
        postWebhook(full.url, fixtures.webhookBody({ messages: [oneText(from, `wamid.order${i}`)] })).then((r) => r.status)))
      expect(answers.every((s) => s === 200)).toBe(true)
      const keys = (sql: string) => (side.db.prepare(sql).all() as Array<{ key: string }>).map((r) => r.key)
      const inboxOrder = keys("select key from inbox where key like 'whatsapp:msg:wamid.order%' order by seq")
      const applied = await eventually(
        async () => keys("select dedupe_key as key from messages where dedupe_key like 'whatsapp:msg:wamid.order%' order by seq"),
        (k) => k.length === 60
      )
      expect(applied).toEqual(inboxOrder)
    } finally {
      side.close()
      await full.close()
    }
  })

  it("answers 503 when the flush of a commit fails, and hands its events over once a later flush succeeds", async () => {
    const dir = tempDir()
    const path = join(dir, "loket.db")
    let failNextFlush = false
    const flakyFlush: Sync = (done) => setImmediate(() => {
      if (!failNextFlush) return done()
      failNextFlush = false
      done(new Error("EIO: i/o error, fsync"))
    })
    // SQLite as sqliteNodeLayer opens it, with a flush the test can make fail once.
    const database = Layer.effect(Database, Effect.acquireRelease(
      Effect.promise(() => openBetterSqlite(path, SQLITE_PRAGMAS)),
      ({ client }) => Effect.sync(() => client.close())
    ).pipe(Effect.map(({ client, db }) =>
      makeSqliteShape(db as Db, () => true, `file:${path}`, preparedControl((q) => client.prepare(q)), flakyFlush))))
    const gw2 = await startGateway(baseEnv({ DATABASE_URL: `file:${path}`, ...PLAYBOOK_OFF }), database)
    try {
      const body = fixtures.webhookBody({ contacts: [fixtures.contact({ waId: "31650000002", name: "Flush" })], messages: [oneText("31650000002", "wamid.unflushed")] })
      failNextFlush = true
      const failed = await postWebhook(gw2.url, body)
      expect(failed.status).toBe(503)
      expect((await failed.json()).error.code).toBe("not_durable")
      // Meta delivers again: the event is already in the inbox (a duplicate), and this flush succeeds.
      const again = await postWebhook(gw2.url, body)
      expect(again.status).toBe(200)
      expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 1 })
      const conversations = await eventually(() => allConversations(gw2.url), (c) => c.length === 1)
      const messages = await eventually(() => allMessages(gw2.url, conversations[0].id), (m) => m.length === 1)
      expect(messages[0].providerMessageId).toBe("wamid.unflushed")
    } finally {
      await gw2.close()
    }
  })

  it("stores a batch all or nothing: a failed commit answers 503, and the redelivery stores every event once", async () => {
    const side = openSideConnection(file)
    const exec = side.exec
    await exec(`CREATE TRIGGER disk_full BEFORE INSERT ON inbox WHEN NEW.key = 'whatsapp:msg:wamid.poison' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`)
    const from = "31630000000"
    const body = fixtures.webhookBody({ messages: [oneText(from, "wamid.ok1"), oneText(from, "wamid.poison"), oneText(from, "wamid.ok2")] })
    const failed = await postWebhook(gw.url, body)
    expect(failed.status).toBe(503)
    expect((await failed.json()).error.code).toBe("not_durable")
    const stored = () => (side.db.prepare("select count(*) as n from inbox where key in ('whatsapp:msg:wamid.ok1','whatsapp:msg:wamid.poison','whatsapp:msg:wamid.ok2')").get() as { n: number }).n
    expect(stored()).toBe(0)
    await exec("DROP TRIGGER disk_full")
    const redelivered = await postWebhook(gw.url, body)
    expect(redelivered.status).toBe(200)
    expect(await redelivered.json()).toMatchObject({ accepted: 3 })
    expect(stored()).toBe(3)
    side.close()
  })

  it("never answers 500 to signed payloads of any shape (fuzzed)", async () => {
    const valid = () => fixtures.webhookBody({ contacts: [fixtures.contact({ waId: "31640000000" })], messages: [oneText("31640000000")] })
    const mutation = fc.tuple(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), fc.jsonValue())
    const payload = fc.oneof(
      fc.jsonValue(),
      fc.string(),
      mutation.map(([path, value]) => {
        // set a random path inside a valid payload to a random JSON value
        const body: any = valid()
        let node = body
        for (const key of path.slice(0, -1)) node = node !== null && typeof node === "object" ? (node[key] ??= {}) : node
        if (node !== null && typeof node === "object") node[path[path.length - 1]!] = value
        return body
      }),
      fc.constantFrom("entry", "changes", "value", "messages", "statuses", "contacts", "metadata").chain((key) =>
        fc.jsonValue().map((value) => {
          const body: any = valid()
          const walk = (node: any): void => {
            if (node === null || typeof node !== "object") return
            for (const k of Object.keys(node)) {
              if (k === key) node[k] = value
              else walk(node[k])
            }
          }
          walk(body)
          return body
        }))
    )
    await fc.assert(
      fc.asyncProperty(payload, async (body) => {
        const raw = typeof body === "string" ? body : JSON.stringify(body)
        const res = await postWebhook(gw.url, raw ?? "null")
        expect([200, 400]).toContain(res.status)
        const answer = await res.json()
        if (res.status === 400) expect(answer.error.code).toBe("invalid_json")
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) }
    )
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200)
  }, 60_000)
})

describe("a burst larger than the in-memory handoff", () => {
  it("reads what spilled back from the inbox: every message arrives once, in order per resident", async () => {
    const small = await startGateway(baseEnv({ LOKET_HANDOFF_CAP: "10", ...PLAYBOOK_OFF }))
    try {
      const residents = Array.from({ length: 20 }, (_, i) => `3168${String(i).padStart(7, "0")}`)
      const bodies = Array.from({ length: 10 }, (_, round) =>
        fixtures.webhookBody({
          contacts: residents.map((waId) => fixtures.contact({ waId })),
          messages: residents.map((waId) => fixtures.textMessage({ from: waId, body: `ronde ${round}`, timestamp: String(1_800_000_000 + round) }))
        }))
      const answers = await Promise.all(bodies.map((body) => postWebhook(small.url, body).then((r) => r.status)))
      expect(answers.every((s) => s === 200)).toBe(true)
      const { allConversations, allMessages } = await import("../support/whatsapp.ts")
      const { eventually } = await import("../support/gateway.ts")
      const conversations = await eventually(() => allConversations(small.url), (c) => c.length === 20)
      for (const conversation of conversations) {
        const messages = await eventually(() => allMessages(small.url, conversation.id), (m) => m.length === 10)
        expect(messages.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, round) => `ronde ${round}`))
      }
    } finally {
      await small.close()
    }
  })
})
