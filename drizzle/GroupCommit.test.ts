import { describe, expect, it } from "vitest"
import { Cause, Effect, Exit } from "effect"
import { makeGroupCommit } from "./GroupCommit.ts"

/** A stand-in connection that records the control statements and can be told to fail a commit. */
function fakeConnection() {
  const log: Array<string> = []
  let failNextCommit = false
  const exec = (statement: string) => {
    if (statement === "COMMIT" && failNextCommit) {
      failNextCommit = false
      throw new Error("disk I/O error")
    }
    log.push(statement)
  }
  return { log, exec, failCommit: () => void (failNextCommit = true) }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe("GroupCommit", () => {
  it("gathers every write of a turn into one transaction, each unit a savepoint", async () => {
    const db = fakeConnection()
    const commit = makeGroupCommit(db.exec as never)
    const unit = commit.unit({})
    unit(() => 1)
    unit(() => 2)
    commit.statement({})(() => 3)
    await Effect.runPromise(commit.committed())
    expect(db.log).toEqual(["BEGIN IMMEDIATE", "SAVEPOINT unit", "RELEASE unit", "SAVEPOINT unit", "RELEASE unit", "COMMIT"])
  })

  it("rolls back a failing unit alone and lets it throw", async () => {
    const db = fakeConnection()
    const commit = makeGroupCommit(db.exec as never)
    expect(() => commit.unit({})(() => { throw new Error("constraint") })).toThrow("constraint")
    commit.unit({})(() => "fine")
    await Effect.runPromise(commit.committed())
    expect(db.log).toEqual(["BEGIN IMMEDIATE", "SAVEPOINT unit", "ROLLBACK TO unit", "RELEASE unit", "SAVEPOINT unit", "RELEASE unit", "COMMIT"])
  })

  it("tells a writer about its own transaction, not a later one that failed", async () => {
    const db = fakeConnection()
    const commit = makeGroupCommit(db.exec as never)
    let rolledBack = 0
    commit.onRollback(() => rolledBack++)
    commit.unit({})(() => "first")
    const first = commit.committed()
    await turn() // the first transaction commits
    commit.unit({})(() => "second")
    const second = commit.committed()
    db.failCommit()
    await turn()
    expect(Exit.isSuccess(await Effect.runPromiseExit(first))).toBe(true)
    const failed = await Effect.runPromiseExit(second)
    expect(Exit.isFailure(failed) && String(failed.cause)).toContain("commit failed")
    expect(rolledBack).toBe(1)
  })
})

describe("GroupCommit with an off-thread flush", () => {
  /** A flush the test finishes by hand, counting how many began. */
  function manualSync() {
    const pending: Array<(error?: unknown) => void> = []
    return { pending, sync: (done: (error?: unknown) => void) => void pending.push(done), begun: () => pending.length }
  }

  it("answers a writer only once a flush that began after its commit has finished", async () => {
    const db = fakeConnection()
    const flush = manualSync()
    const commit = makeGroupCommit(db.exec as never, flush.sync)
    commit.unit({})(() => 1)
    let answered = false
    const done = Effect.runPromise(commit.committed()).then(() => void (answered = true))
    await turn() // committed, flush begun
    expect(db.log.at(-1)).toBe("COMMIT")
    expect(flush.begun()).toBe(1)
    await turn()
    expect(answered).toBe(false)
    flush.pending[0]!()
    await done
    expect(answered).toBe(true)
  })

  it("keeps the transaction open while a flush runs, so the writes of later turns share one commit and the next flush", async () => {
    const db = fakeConnection()
    const flush = manualSync()
    const commit = makeGroupCommit(db.exec as never, flush.sync)
    commit.unit({})(() => "first")
    const firstTransaction = commit.transaction()
    const first = Effect.runPromise(commit.committed())
    await turn()
    // two more turns of writes while the first flush runs
    commit.unit({})(() => "second")
    const secondTransaction = commit.transaction()
    const second = Effect.runPromise(commit.committed())
    await turn()
    commit.unit({})(() => "third")
    const third = Effect.runPromise(commit.committed())
    await turn()
    expect(commit.transaction()).toBe(secondTransaction)
    expect(secondTransaction).toBe(firstTransaction + 1)
    expect(db.log.filter((s) => s === "COMMIT")).toHaveLength(1) // the second transaction is still open
    expect(flush.begun()).toBe(1)
    let laterDone = false
    void Promise.all([second, third]).then(() => void (laterDone = true))
    flush.pending[0]!() // covers the first only; the open transaction commits now and its flush begins
    await first
    expect(db.log.filter((s) => s === "COMMIT")).toHaveLength(2)
    await turn()
    expect(laterDone).toBe(false)
    expect(flush.begun()).toBe(2) // one flush for both later writes
    flush.pending[1]!()
    await Promise.all([second, third])
  })

  it("does not call a commit durable when its flush fails", async () => {
    const db = fakeConnection()
    const flush = manualSync()
    const commit = makeGroupCommit(db.exec as never, flush.sync)
    commit.unit({})(() => 1)
    const exit = Effect.runPromiseExit(commit.committed())
    await turn()
    flush.pending[0]!(new Error("EIO"))
    const result = await exit
    expect(Exit.isFailure(result) && String(result.cause)).toContain("flushing the write-ahead log failed")
    // Committed, so a later flush that succeeds makes it durable: the caller may keep what it holds.
    expect(Exit.isFailure(result) && Cause.findErrorOption(result.cause)).toMatchObject({ value: { committedNotFlushed: true } })
  })
})
