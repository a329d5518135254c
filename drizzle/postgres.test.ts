/** The PostgreSQL database service against a real server: transactions, and cluster mode's fencing tokens. */
import { eq } from "drizzle-orm"
import { Cause, Effect, Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CurrentFence, type DatabaseShape, isFenced } from "./Database.ts"
import { openTestPostgres } from "../test/support/postgres-service.ts"

let database: DatabaseShape
let close: () => Promise<void>

beforeAll(async () => {
  ;({ database, close } = await openTestPostgres(4))
})
afterAll(() => close())

let n = 0
/** Writes one contact in a transaction under `token` for partition 1; answers whether it was stored. */
const writeUnder = (token: number, pause = 0) => {
  const id = `ct_${++n}`
  const at = new Date().toISOString()
  const work = database.transaction(Effect.gen(function*() {
    yield* database.run((db, t) => db.insert(t.contacts).values({ id, channel: "whatsapp", handle: id, waId: id, userId: null, name: null, createdAt: at, updatedAt: at }))
    if (pause > 0) yield* Effect.sleep(pause)
  }))
  return Effect.runPromiseExit(Effect.provideService(work, CurrentFence, { partition: 1, token })).then(async (exit) => ({
    exit,
    stored: (await Effect.runPromise(database.one((db, t) => db.select().from(t.contacts).where(eq(t.contacts.id, id))))) !== undefined,
    at: performance.now()
  }))
}

describe("PostgreSQL fencing tokens (cluster mode)", () => {
  it("refuses a transaction under an older lease once a newer one has written, and stores nothing of it", async () => {
    expect((await writeUnder(7)).stored).toBe(true)
    const stale = await writeUnder(5)
    expect(stale.stored).toBe(false)
    expect(Exit.isFailure(stale.exit) && isFenced(Cause.squash(stale.exit.cause))).toBe(true)
    expect((await writeUnder(7)).stored).toBe(true) // the holder itself goes on
    expect((await writeUnder(9)).stored).toBe(true) // a successor takes over
    expect((await writeUnder(7)).stored).toBe(false) // the deposed holder is out
  })

  it("lets a successor's first write wait until the deposed owner's turn under way has committed", async () => {
    const deposed = writeUnder(20, 300) // holds the partition's row for 300 ms
    await new Promise((resolve) => setTimeout(resolve, 50))
    const successor = writeUnder(21)
    const [d, s] = await Promise.all([deposed, successor])
    expect(d.stored && s.stored).toBe(true)
    expect(s.at).toBeGreaterThan(d.at - 5)
    expect((await writeUnder(20)).stored).toBe(false)
  })
})

describe("PostgreSQL errors", () => {
  it("name the broken constraint and never carry the query's values (residents' data) into the message", async () => {
    const at = new Date().toISOString()
    const row = { id: `ct_err_${++n}`, channel: "whatsapp", handle: "31687654321", waId: "31687654321", userId: null, name: "Ayşe Yılmaz", createdAt: at, updatedAt: at }
    await Effect.runPromise(database.transaction(database.run((db, t) => db.insert(t.contacts).values(row))))
    const exit = await Effect.runPromiseExit(database.transaction(database.run((db, t) => db.insert(t.contacts).values({ ...row, id: `ct_err_${++n}` }))))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause) as { _tag: string; message: string; constraint?: string }
    expect(error._tag).toBe("DatabaseUnavailable")
    expect(error.constraint).toBe("contacts_channel_wa_id")
    expect(error.message).toContain("contacts_channel_wa_id")
    expect(error.message).not.toContain("31687654321")
    expect(error.message).not.toContain("Ayşe")
  })
})
