/**
 * Group commit for one SQLite connection: the first write of a turn of the event loop opens a
 * transaction, every write of that turn joins it as a savepoint (a failing unit rolls back
 * alone), and the transaction commits when the turn is over — one fsync for every writer of the
 * turn. Writers that must not be seen before they are durable wait for `committed()`, which
 * follows the very transaction they wrote in (a later one failing does not concern them).
 */
import { Effect } from "effect"
import { DatabaseUnavailable } from "./errors.ts"

/** Runs one transaction-control statement; the connection may prepare it once (better-sqlite3 and bun:sqlite do). */
export type Control = (statement: "BEGIN IMMEDIATE" | "COMMIT" | "ROLLBACK" | "SAVEPOINT unit" | "RELEASE unit" | "ROLLBACK TO unit") => void

type Resume = (effect: Effect.Effect<void, DatabaseUnavailable>) => void

/** How many failed transactions are remembered for late `committed()` callers. */
const REMEMBERED_FAILURES = 64

export function makeGroupCommit(exec: Control) {
  /** The number of the open transaction, or of the last one. */
  let generation = 0
  let open = false
  let waiters: Array<Resume> = []
  const failures = new Map<number, DatabaseUnavailable>()
  const rollbackListeners: Array<() => void> = []

  const commit = () => {
    open = false
    const waiting = waiters
    waiters = []
    let failure: DatabaseUnavailable | undefined
    try {
      exec("COMMIT")
    } catch (cause) {
      failure = new DatabaseUnavailable({ message: `commit failed: ${String(cause)}` })
      try {
        exec("ROLLBACK")
      } catch {
        // already rolled back by SQLite
      }
      failures.set(generation, failure)
      if (failures.size > REMEMBERED_FAILURES) failures.delete(failures.keys().next().value!)
      for (const listener of rollbackListeners) listener()
    }
    const result = failure === undefined ? Effect.void : Effect.fail(failure)
    for (const resume of waiting) resume(result)
  }

  const begin = () => {
    if (open) return
    exec("BEGIN IMMEDIATE")
    generation++
    open = true
    setImmediate(commit)
  }

  const unit = <Db>(db: Db) => <A>(f: (tx: Db) => A): A => {
    begin()
    exec("SAVEPOINT unit")
    let result: A
    try {
      result = f(db)
    } catch (error) {
      exec("ROLLBACK TO unit")
      exec("RELEASE unit")
      throw error
    }
    exec("RELEASE unit")
    return result
  }

  /** One statement in the current transaction: atomic by itself, so no savepoint around it. */
  const statement = <Db>(db: Db) => <A>(f: (tx: Db) => A): A => {
    begin()
    return f(db)
  }

  /** Call right after writing: resolves when that transaction is committed, fails if it was not. */
  const committed = (): Effect.Effect<void, DatabaseUnavailable> => {
    const mine = generation
    return Effect.callback<void, DatabaseUnavailable>((resume) => {
      if (open && generation === mine) {
        waiters.push(resume)
        return
      }
      const failure = failures.get(mine)
      resume(failure === undefined ? Effect.void : Effect.fail(failure))
    })
  }

  return { unit, statement, committed, onRollback: (listener: () => void) => void rollbackListeners.push(listener) }
}
