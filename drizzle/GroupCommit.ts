/**
 * Group commit for one SQLite connection: the first write of a turn of the event loop opens a
 * transaction, every write of that turn joins it as a savepoint (a failing unit rolls back
 * alone), and the transaction commits when the turn is over — one fsync for every writer of the
 * turn. Writers that must not be seen before they are durable wait for `committed()`, which
 * follows the very transaction they wrote in (a later one failing does not concern them).
 *
 * With `sync` (durability against power loss), the connection commits without an fsync
 * (`synchronous = NORMAL` in WAL mode) and `sync` flushes the write-ahead log off the event
 * loop (a libuv thread): `committed()` resolves only once a flush that began after the commit
 * has finished — what `synchronous = FULL` guarantees, without blocking every other request
 * for the fsync. While a flush runs, the open transaction stays open past its turn and commits
 * when the flush ends: its writers could not be answered sooner (they need the next flush), and
 * every write until then joins it — under load, one commit and one flush for many turns.
 */
import { Effect } from "effect"
import { DatabaseUnavailable } from "./errors.ts"

/** Runs one transaction-control statement; the connection may prepare it once (better-sqlite3 and bun:sqlite do). */
export type Control = (statement: "BEGIN IMMEDIATE" | "COMMIT" | "ROLLBACK" | "SAVEPOINT unit" | "RELEASE unit" | "ROLLBACK TO unit") => void

type Resume = (effect: Effect.Effect<void, DatabaseUnavailable>) => void

/** Flushes what was committed so far to stable storage; calls back once done (with the error, if any). */
export type Sync = (done: (error?: unknown) => void) => void

/** How many failed transactions are remembered for late `committed()` callers. */
const REMEMBERED_FAILURES = 64

export function makeGroupCommit(exec: Control, sync?: Sync) {
  /** The number of the open transaction, or of the last one. */
  let generation = 0
  let open = false
  let waiters: Array<Resume> = []
  const failures = new Map<number, DatabaseUnavailable>()
  const rollbackListeners: Array<() => void> = []
  const commitListeners: Array<() => void> = []
  /** The last generation a finished flush covers. */
  let durable = 0
  /** Committed, waiting for a flush that has not begun yet. */
  let unflushed: Array<Resume> = []
  let flushing = false
  /** The open transaction's turn ended while a flush ran: commit it when the flush ends. */
  let commitAfterFlush = false

  const remember = (failed: number, failure: DatabaseUnavailable) => {
    failures.set(failed, failure)
    if (failures.size > REMEMBERED_FAILURES) failures.delete(failures.keys().next().value!)
  }

  /** Starts a flush for every commit waiting, unless one runs; the next starts when it ends. */
  const flush = () => {
    if (flushing || unflushed.length === 0 || sync === undefined) return
    flushing = true
    // What is committed now: not the transaction still open, if one is.
    const covered = open ? generation - 1 : generation
    const resumes = unflushed
    unflushed = []
    sync((error) => {
      flushing = false
      if (error === undefined || error === null) {
        durable = Math.max(durable, covered)
        for (const resume of resumes) resume(Effect.void)
      } else {
        // Committed but perhaps not on disk: the writers are not told it is durable (a webhook gets
        // a 503 and Meta delivers again; the dedupe keys absorb it).
        const failure = new DatabaseUnavailable({ message: `flushing the write-ahead log failed: ${String(error)}`, committedNotFlushed: true })
        remember(covered, failure)
        for (const resume of resumes) resume(Effect.fail(failure))
      }
      if (commitAfterFlush) {
        commitAfterFlush = false
        if (open) commit()
      }
      flush()
    })
  }

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
      remember(generation, failure)
      for (const listener of rollbackListeners) listener()
    }
    if (failure === undefined) for (const listener of commitListeners) listener()
    if (failure === undefined && sync !== undefined) {
      unflushed.push(...waiting)
      flush()
      return
    }
    const result = failure === undefined ? Effect.void : Effect.fail(failure)
    for (const resume of waiting) resume(result)
  }

  /** The turn that opened the transaction is over: commit, unless a flush runs (see above). */
  const endOfTurn = () => {
    if (flushing) commitAfterFlush = true
    else commit()
  }

  const begin = () => {
    if (open) return
    exec("BEGIN IMMEDIATE")
    generation++
    open = true
    setImmediate(endOfTurn)
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

  /**
   * Call right after writing: resolves when that transaction is committed, fails if it was not. The
   * transaction is the one current at the call, so build it after the write has run
   * (`Effect.andThen(() => committed())`, not `Effect.andThen(committed())`, which is built before).
   */
  const committed = (): Effect.Effect<void, DatabaseUnavailable> => {
    const mine = generation
    return Effect.callback<void, DatabaseUnavailable>((resume) => {
      if (open && generation === mine) {
        waiters.push(resume)
        return
      }
      const failure = failures.get(mine)
      if (failure !== undefined) return resume(Effect.fail(failure))
      if (sync !== undefined && mine > durable) {
        // Committed, not yet flushed: the next flush (it begins after this commit) covers it.
        unflushed.push(resume)
        flush()
        return
      }
      resume(Effect.void)
    })
  }

  return {
    unit,
    statement,
    committed,
    onRollback: (listener: () => void) => void rollbackListeners.push(listener),
    /** Called after every commit that succeeded (before it is flushed): background work that follows writes (SearchIndexer.ts). */
    onCommit: (listener: () => void) => void commitListeners.push(listener),
    /** The number of the transaction writes join now (or of the last one): writes with the same number share a commit. */
    transaction: () => generation
  }
}
