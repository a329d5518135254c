import { describe, expect, it } from "vitest"
import { Effect, Exit } from "effect"
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
