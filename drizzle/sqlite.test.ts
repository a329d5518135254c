import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import BetterSqlite from "better-sqlite3"
import { describe, expect, it } from "vitest"
import { durability, walSync } from "./sqlite.ts"

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
