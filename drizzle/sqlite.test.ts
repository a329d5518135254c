import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import BetterSqlite from "better-sqlite3"
import { Cause, Context, Effect, Exit, Layer, Scope } from "effect"
import { describe, expect, it } from "vitest"
import { Database } from "./Database.ts"
import { durability, sqliteNodeLayer, walSync } from "./sqlite.ts"

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
