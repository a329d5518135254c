/**
 * Cluster mode's batches on a real PostgreSQL: many units of work (each a conversation's actor in
 * production) join one transaction, at once, on its one connection; it is fenced once and commits
 * once, or fails as a whole so that each unit can be applied again alone.
 */
import { eq, inArray, sql } from "drizzle-orm"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually } from "../test/support/gateway.ts"
import { type BatchMember, CurrentBatch, CurrentFence, type DatabaseShape, type Fence, isFenced } from "./Database.ts"
import { openTestPostgres } from "../test/support/postgres-service.ts"

let database: DatabaseShape
let close: () => Promise<void>

beforeAll(async () => {
  ;({ database, close } = await openTestPostgres(4))
})
afterAll(() => close())

let n = 0
const contactRow = (id: string) => {
  const at = new Date().toISOString()
  return { id, channel: "whatsapp", handle: id, waId: id, userId: null, name: null, createdAt: at, updatedAt: at }
}
const stored = (ids: ReadonlyArray<string>) =>
  Effect.runPromise(database.all((db, t) => db.select({ id: t.contacts.id }).from(t.contacts).where(inArray(t.contacts.id, [...ids]))))
    .then((rows) => rows.map((r) => r.id).sort())

/**
 * One unit as a conversation's actor runs it: a transaction of several statements (it writes a
 * contact, reads it back, and asks PostgreSQL which transaction it is in), then `committed()`.
 */
const unit = (member: BatchMember, id: string, fail = false, wrote?: Deferred.Deferred<void>) =>
  Effect.gen(function*() {
    const seen = yield* database.transaction(Effect.gen(function*() {
      yield* database.run((db, t) => db.insert(t.contacts).values(contactRow(id)))
      yield* Effect.yieldNow // lets the other units' statements come in between
      const own = yield* database.all((db, t) => db.select({ id: t.contacts.id }).from(t.contacts).where(eq(t.contacts.id, id)))
      const tx = yield* database.one((db) => db.select({ id: sql<string>`txid_current()::text` }).from(sql`(select 1) as one`))
      if (fail) return yield* Effect.fail("this event cannot be applied")
      return { own: own.length, tx: tx?.id }
    }))
    if (wrote !== undefined) yield* Deferred.succeed(wrote, undefined)
    yield* database.committed()
    return seen
  }).pipe(Effect.provideService(CurrentBatch, member), Effect.ensuring(Effect.sync(() => member.arrive())))

const partition = (p: number, token: number): Fence => ({ partition: p, token })

/** Backends of this database waiting for a lock now. */
const waitingOnLocks = () =>
  Effect.runPromise(database.one((db) => db.select({ n: sql<string>`count(*)::text` }).from(sql`pg_stat_activity`)
    .where(sql`datname = current_database() and wait_event_type = 'Lock'`))).then((row) => Number(row?.n ?? 0))

describe("a batch (cluster mode, PostgreSQL)", () => {
  it("gathers the transactions of units running at once into one PostgreSQL transaction, each seeing its own writes, none visible before the one commit", async () => {
    const ids = Array.from({ length: 20 }, () => `ct_b${++n}`)
    const result = await Effect.runPromise(Effect.gen(function*() {
      const open = yield* database.openBatch!(partition(1, 1))
      const wrote = yield* Effect.forEach(ids, () => Deferred.make<void>())
      const fibers = yield* Effect.forEach(ids, (id, i) => Effect.forkChild(unit(open.member(), id, false, wrote[i])))
      // Every unit has written and waits in committed(): nothing is visible outside the batch yet.
      yield* Effect.forEach(wrote, Deferred.await)
      const before = yield* Effect.promise(() => stored(ids))
      const waiting = fibers.every((fiber) => fiber.pollUnsafe() === undefined)
      yield* open.commit
      const seen = yield* Effect.forEach(fibers, Fiber.join)
      return { before, waiting, seen }
    }))
    expect(result.before).toEqual([])
    expect(result.waiting).toBe(true)
    expect(result.seen.every((s) => s.own === 1)).toBe(true)
    expect(new Set(result.seen.map((s) => s.tx)).size).toBe(1)
    expect(await stored(ids)).toEqual([...ids].sort())
  })

  it("fails as a whole when one unit fails: nothing of it lands, and every unit that wrote is told to be applied again alone", async () => {
    const ids = Array.from({ length: 8 }, () => `ct_b${++n}`)
    const result = await Effect.runPromise(Effect.gen(function*() {
      const open = yield* database.openBatch!(partition(2, 1))
      const members = ids.map(() => open.member())
      const fibers = yield* Effect.forEach(ids, (id, i) => Effect.forkChild(Effect.exit(unit(members[i]!, id, i === 3))))
      const commit = yield* Effect.exit(open.commit)
      const exits = yield* Effect.forEach(fibers, Fiber.join)
      return { commit, exits, again: members.map((m) => m.mustRetry()), failed: members.map((m) => m.failed()) }
    }))
    expect(Exit.isFailure(result.commit)).toBe(true)
    expect(result.exits.every(Exit.isFailure)).toBe(true)
    expect(result.again.every(Boolean)).toBe(true)
    expect(result.failed.every(Boolean)).toBe(true)
    expect(await stored(ids)).toEqual([])
    // Applied again one at a time (no batch), the good ones land and the bad one fails alone.
    const alone = await Promise.all(ids.map((id, i) => Effect.runPromiseExit(database.transaction(Effect.gen(function*() {
      yield* database.run((db, t) => db.insert(t.contacts).values(contactRow(id)))
      if (i === 3) return yield* Effect.fail("this event cannot be applied")
    })))))
    expect(alone.map(Exit.isSuccess)).toEqual(ids.map((_, i) => i !== 3))
    expect(await stored(ids)).toEqual(ids.filter((_, i) => i !== 3).sort())
  })

  it("fails as a whole when one of its statements fails, even if the unit carries on past the error", async () => {
    const taken = `ct_b${++n}`
    await Effect.runPromise(database.transaction(database.run((db, t) => db.insert(t.contacts).values(contactRow(taken)))))
    const fresh = `ct_b${++n}`
    const commit = await Effect.runPromiseExit(Effect.gen(function*() {
      const open = yield* database.openBatch!(partition(3, 1))
      const member = open.member()
      yield* Effect.provideService(database.transaction(Effect.gen(function*() {
        yield* database.run((db, t) => db.insert(t.contacts).values(contactRow(fresh)))
        // A duplicate key: PostgreSQL aborts the transaction; this unit ignores the error.
        yield* Effect.ignore(database.run((db, t) => db.insert(t.contacts).values(contactRow(taken))))
      })), CurrentBatch, member)
      member.arrive()
      yield* open.commit
    }))
    expect(Exit.isFailure(commit)).toBe(true)
    expect(await stored([fresh])).toEqual([])
  })

  it("under a lease a newer owner has written with, opens no batch and writes nothing", async () => {
    await Effect.runPromise(Effect.provideService(database.transaction(Effect.void), CurrentFence, partition(4, 8)))
    const opened = await Effect.runPromiseExit(database.openBatch!(partition(4, 5)))
    expect(Exit.isFailure(opened) && isFenced(Cause.squash(opened.cause))).toBe(true)
  })

  it("holds the partition's fence until it commits: a successor's first write waits, and the deposed owner's next batch is refused", async () => {
    const id = `ct_b${++n}`
    const order: Array<string> = []
    await Effect.runPromise(Effect.gen(function*() {
      const open = yield* database.openBatch!(partition(5, 1))
      const member = open.member()
      yield* unit(member, id).pipe(Effect.forkChild)
      const successor = yield* Effect.provideService(database.transaction(Effect.sync(() => void order.push("successor wrote"))), CurrentFence, partition(5, 2))
        .pipe(Effect.forkChild)
      // The successor's first statement waits for the batch's lock on the partition's row.
      yield* Effect.promise(() => eventually(waitingOnLocks, (waiting) => waiting >= 1, 10_000))
      order.push("batch commits")
      yield* open.commit
      yield* Fiber.join(successor)
    }))
    expect(order).toEqual(["batch commits", "successor wrote"])
    expect(await stored([id])).toEqual([id])
    const deposed = await Effect.runPromiseExit(database.openBatch!(partition(5, 1)))
    expect(Exit.isFailure(deposed) && isFenced(Cause.squash(deposed.cause))).toBe(true)
  })

  it("does not hold up a transaction of its own lease beside it (an agent's reply while the partition's batch is open)", async () => {
    const batchId = `ct_b${++n}`
    const replyId = `ct_b${++n}`
    const result = await Effect.runPromise(Effect.gen(function*() {
      const open = yield* database.openBatch!(partition(6, 3))
      const member = open.member()
      const inBatch = yield* unit(member, batchId).pipe(Effect.forkChild)
      // Same partition, same token, its own transaction: done while the batch is still open.
      yield* Effect.provideService(database.transaction(database.run((db, t) => db.insert(t.contacts).values(contactRow(replyId)))), CurrentFence, partition(6, 3))
      const replyStored = yield* Effect.promise(() => stored([replyId]))
      const batchStillOpen = inBatch.pollUnsafe() === undefined
      yield* open.commit
      yield* Fiber.join(inBatch)
      return { replyStored, batchStillOpen }
    }))
    expect(result).toEqual({ replyStored: [replyId], batchStillOpen: true })
    expect(await stored([batchId])).toEqual([batchId])
  })
})
