/**
 * Group commit for one SQLite connection: the first write of a turn of the event loop opens a
 * transaction, every write of that turn joins it as a savepoint (a failing unit rolls back
 * alone), and the transaction commits when the turn is over — one fsync for every writer of the
 * turn. Writers that must not be seen before they are durable wait for `committed`.
 */
import { Effect } from "effect"
import { DatabaseUnavailable } from "./errors.ts"

interface Waiter {
  readonly resume: (effect: Effect.Effect<void, DatabaseUnavailable>) => void
}

/** Runs one transaction-control statement; the connection may prepare it once (better-sqlite3 and bun:sqlite do). */
export type Control = (statement: "BEGIN IMMEDIATE" | "COMMIT" | "ROLLBACK" | "SAVEPOINT unit" | "RELEASE unit" | "ROLLBACK TO unit") => void

export function makeGroupCommit(exec: Control) {
  let open = false
  let waiters: Array<Waiter> = []
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
      for (const listener of rollbackListeners) listener()
    }
    const result = failure === undefined ? Effect.void : Effect.fail(failure)
    for (const waiter of waiting) waiter.resume(result)
  }

  const unit = <Db>(db: Db) => <A>(f: (tx: Db) => A): A => {
    if (!open) {
      exec("BEGIN IMMEDIATE")
      open = true
      setImmediate(commit)
    }
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
    if (!open) {
      exec("BEGIN IMMEDIATE")
      open = true
      setImmediate(commit)
    }
    return f(db)
  }

  const committed: Effect.Effect<void, DatabaseUnavailable> = Effect.callback<void, DatabaseUnavailable>((resume) => {
    if (!open) resume(Effect.void)
    else waiters.push({ resume })
  })

  return { unit, statement, committed, onRollback: (listener: () => void) => void rollbackListeners.push(listener) }
}
