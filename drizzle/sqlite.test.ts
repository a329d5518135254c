import { mkdtempSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import BetterSqlite from "better-sqlite3"
import { Cause, Context, Effect, Exit, Layer, Scope } from "effect"
import { describe, expect, it } from "vitest"
import { TestClock } from "effect/testing"
import { eventually } from "../test/support/gateway.ts"
import { Database, type DatabaseShape } from "./Database.ts"
import { durability, sqliteNodeLayer, WAL_SIZE_LIMIT, walSync } from "./sqlite.ts"

const flushed = (sync: ReturnType<typeof walSync>["sync"]) => new Promise<unknown>((resolve) => sync((error) => resolve(error)))

describe("walSync", () => {
  it("flushes the write-ahead log of a database in WAL mode", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "loket-wal-")), "loket.db")
    const db = new BetterSqlite(path)
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = NORMAL")
    db.exec("create table t (v text)")
    db.prepare("insert into t values ('x')").run()
    const wal = walSync(path)
    expect(await flushed(wal.sync)).toBeUndefined()
    expect(await flushed(wal.sync)).toBeUndefined() // the second one reuses the file and the folder flush
    wal.close()
    db.close()
  })

  it("reports a log it cannot flush instead of calling it durable", async () => {
    const wal = walSync(join(mkdtempSync(join(tmpdir(), "loket-wal-")), "missing.db"))
    expect(String(await flushed(wal.sync))).toContain("ENOENT")
  })

  it("flushes only when power loss must be survived, and never for a database in memory", () => {
    expect(durability("/tmp/x.db", { synchronous: "FULL" })).toBeDefined()
    expect(durability("/tmp/x.db", { synchronous: "NORMAL" })).toBeUndefined()
    expect(durability(":memory:", { synchronous: "FULL" })).toBeUndefined()
  })
})

describe("SQLite errors", () => {
  // People.ts tells a duplicate e-mail (409) from an outage (503) by this message.
  it("name the broken constraint and never carry the query's values (residents' data) into the message", async () => {
    const scope = Effect.runSync(Scope.make())
    const database = Context.get(await Effect.runPromise(Layer.buildWithScope(sqliteNodeLayer(`file:${join(mkdtempSync(join(tmpdir(), "loket-err-")), "loket.db")}`, { synchronous: "NORMAL" }), scope)), Database)
    const at = new Date().toISOString()
    const row = { id: "ct_1", channel: "whatsapp", handle: "31687654321", waId: "31687654321", userId: null, name: "Ayşe Yılmaz", createdAt: at, updatedAt: at }
    await Effect.runPromise(database.transaction(database.run((db, t) => db.insert(t.contacts).values(row))))
    const exit = await Effect.runPromiseExit(database.transaction(database.run((db, t) => db.insert(t.contacts).values({ ...row, id: "ct_2" }))))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause) as { _tag: string; message: string }
    expect(error._tag).toBe("DatabaseUnavailable")
    expect(error.message).toContain("UNIQUE constraint failed: contacts.channel, contacts.wa_id")
    expect(error.message).not.toContain("31687654321")
    expect(error.message).not.toContain("Ayşe")
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })
})

describe("the write-ahead log's checkpoint", () => {
  /** The log's file size: read without touching the database (a checkpoint of the test's own would spoil it). */
  const walBytes = (path: string) => statSync(`${path}-wal`).size

  it("runs off the commits: the log grows until the Clock's tick, then the worker's checkpoint lets the next write start it over", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "loket-ckpt-")), "loket.db")
    const at = new Date().toISOString()
    const write = (database: DatabaseShape, from: number, count: number) =>
      database.transaction(Effect.forEach(Array.from({ length: count }, (_, i) => from + i), (i) =>
        database.run((db, t) => db.insert(t.contacts).values({ id: `ct_${i}`, channel: "sms", handle: `h${i}`, waId: null, userId: null, name: "x".repeat(2000), createdAt: at, updatedAt: at })), { discard: true }))
    const walFrames = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const database = yield* Layer.build(sqliteNodeLayer(`file:${path}`, { synchronous: "NORMAL" })).pipe(Effect.map((context) => Context.get(context, Database)))
      // 8 MB of writes: SQLite's own checkpoint would have run inside a commit at 1,000 pages (4 MB).
      for (let n = 0; n < 8; n++) {
        yield* write(database, n * 500, 500)
        yield* database.committed()
      }
      const grown = walBytes(path)
      // Each tick of the Clock asks the worker for a checkpoint (it answers from its own thread); once one
      // has copied the whole log, the next write starts it over and cuts the file back.
      const run = Effect.runPromiseWith(yield* Effect.context<never>())
      let n = 0
      const restarted = yield* Effect.promise(() => eventually(async () => {
        await run(TestClock.adjust("1 second"))
        await run(write(database, 100_000 + n++, 1).pipe(Effect.andThen(database.committed())))
        return walBytes(path)
      }, (bytes) => bytes <= WAL_SIZE_LIMIT, 10_000))
      return { grown, restarted }
    })).pipe(Effect.provide(TestClock.layer())))
    expect(walFrames.grown).toBeGreaterThan(8_000_000)
    expect(walFrames.restarted).toBeLessThanOrEqual(WAL_SIZE_LIMIT)
  })
})
