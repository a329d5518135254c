/**
 * SQLite (embedded mode): one connection, WAL, group commit (GroupCommit.ts). Queries run
 * synchronously inside Effect.sync; a transaction runs its effect synchronously inside a
 * savepoint of the turn's transaction.
 */
import { close, closeSync, fsync, mkdirSync, open } from "node:fs"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Exit, Layer, Queue, Schedule } from "effect"
import { Database, type DatabaseShape, type Db } from "./Database.ts"
import { DatabaseUnavailable, storageUnavailable } from "./errors.ts"
import { type Control, makeGroupCommit, type Sync } from "./GroupCommit.ts"
import * as schema from "./schema.ts"
import { makeSearchIndexer, SEARCH_INDEX_EVERY } from "./SearchIndexer.ts"
import type { RawStatement } from "./search-index-step.ts"
import { startWalCheckpointer, type WalCheckpointer } from "./WalCheckpointer.ts"

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url))

/** `file:./data/loket.db` → `./data/loket.db`; `:memory:` stays. Creates the folder. */
export function sqlitePath(url: string): string {
  if (url === ":memory:" || url === "file::memory:") return ":memory:"
  const path = url.replace(/^file:(\/\/)?/, "")
  mkdirSync(dirname(path), { recursive: true })
  return path
}

export interface SqliteOptions {
  /** FULL: an acknowledged write survives a power loss; NORMAL: a process crash only. */
  readonly synchronous: "FULL" | "NORMAL"
}

/**
 * Pragmas every SQLite connection gets: WAL, a busy timeout, foreign keys. SQLite itself never
 * fsyncs at commit (`synchronous = NORMAL`): with FULL durability the write-ahead log is flushed
 * by `walSync` off the event loop before any writer is answered (GroupCommit.ts).
 */
export const SQLITE_PRAGMAS: ReadonlyArray<string> = [
  "journal_mode = WAL",
  "synchronous = NORMAL",
  "busy_timeout = 5000",
  "foreign_keys = ON",
  "temp_store = MEMORY"
]

/**
 * Flushes the write-ahead log of the database at `path` with fsync on a libuv thread: what
 * `synchronous = FULL` does at every commit, without holding up the event loop. The first flush
 * also flushes the folder, so the log file itself is found after a power loss.
 */
export function walSync(path: string): { readonly sync: Sync; readonly close: () => void } {
  let fd: number | undefined
  let folderFlushed = false
  const flushFolder = (done: (error?: unknown) => void) =>
    open(dirname(path), "r", (error, dir) => {
      if (error) return done(error)
      fsync(dir, (syncError) => {
        close(dir, () => {})
        if (!syncError) folderFlushed = true
        done(syncError ?? undefined)
      })
    })
  const flush = (file: number, done: (error?: unknown) => void) =>
    fsync(file, (error) => (error ? done(error) : folderFlushed ? done() : flushFolder(done)))
  return {
    sync: (done) => {
      if (fd !== undefined) return flush(fd, done)
      open(`${path}-wal`, "r", (error, opened) => {
        if (error) return done(error)
        fd = opened
        flush(opened, done)
      })
    },
    close: () => {
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    }
  }
}

/** The flush for `options` (none for an in-memory database, or when only crashes must be survived). */
export const durability = (path: string, options: SqliteOptions) =>
  options.synchronous === "FULL" && path !== ":memory:" ? walSync(path) : undefined

/** A SQLite driver: opens the file with the pragmas and applies the migrations. */
export type OpenSqlite = (path: string, pragmas: ReadonlyArray<string>) => Promise<{
  readonly client: { close(): void; prepare(sql: string): RawStatement }
  readonly db: unknown
  /** When the driver checkpoints the log off the event loop (WalCheckpointer.ts); else SQLite's own automatic checkpoint. */
  readonly checkpointer?: WalCheckpointer | undefined
}>

/** How often the write-ahead log is checkpointed off the event loop (where the driver does that). */
export const CHECKPOINT_EVERY = "1 second"
/** The write-ahead log's file is cut back to this many bytes when it starts over (it grows past it within a second of heavy writes). */
export const WAL_SIZE_LIMIT = 4 * 1024 * 1024

/** The Database service over a SQLite driver (better-sqlite3 here, bun:sqlite in sqlite-bun.ts). */
export const sqliteLayer = (open: OpenSqlite) => (url: string, options: SqliteOptions) =>
  Layer.effect(
    Database,
    Effect.gen(function*() {
      const { client, db, wal, checkpointer } = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            const path = sqlitePath(url)
            const opened = await open(path, SQLITE_PRAGMAS)
            return { ...opened, wal: durability(path, options) }
          },
          catch: (cause) => new DatabaseUnavailable({ message: `SQLite at ${url} could not be opened: ${String(cause)}` })
        }),
        ({ client, wal, checkpointer }) => Effect.promise(async () => {
          await checkpointer?.close().catch(() => {})
          wal?.close()
          client.close() // the last connection: SQLite checkpoints what is left and removes the log
        })
      )
      if (checkpointer !== undefined) {
        // A failed checkpoint (the file busy past the worker's timeout) is tried again at the next tick.
        yield* Effect.tryPromise(() => checkpointer.checkpoint()).pipe(
          Effect.catchCause((cause) => Effect.logWarning("write-ahead log checkpoint failed; tried again shortly", String(cause))),
          Effect.repeat(Schedule.spaced(CHECKPOINT_EVERY)),
          Effect.forkScoped
        )
      }
      // The search index follows the writes in batches: SEARCH_INDEX_EVERY after a commit (not on a
      // fixed beat, so an idle gateway, or a test's clock moved by days, wakes it no more often than it writes).
      const commits = yield* Queue.sliding<true>(1)
      const shape = makeSqliteShape(db as Db, () => client.prepare("select 1").get() !== undefined, url, preparedControl((sql) => client.prepare(sql)), wal?.sync,
        { onCommit: () => void Queue.offerUnsafe(commits, true) })
      const searchIndexer = makeSearchIndexer(shape, (sql) => client.prepare(sql))
      const indexNow = searchIndexer.tick.pipe(
        // A failed step is tried again after the next commit.
        Effect.catchCause((cause) => Effect.logWarning("search index not brought up to date; tried again shortly", String(cause)))
      )
      yield* indexNow.pipe(
        Effect.andThen(Queue.take(commits).pipe(Effect.andThen(Effect.sleep(SEARCH_INDEX_EVERY)), Effect.andThen(indexNow), Effect.forever)),
        Effect.forkScoped
      )
      return shape
    })
  )

/** Opens a SQLite file through better-sqlite3 (Node): the pragmas, then the migrations. */
export const openBetterSqlite: OpenSqlite = async function openBetterSqlite(path, pragmas) {
  const { default: BetterSqlite } = await import("better-sqlite3")
  const { drizzle } = await import("drizzle-orm/better-sqlite3")
  const { migrate } = await import("drizzle-orm/better-sqlite3/migrator")
  const client = new BetterSqlite(path)
  for (const pragma of pragmas) client.pragma(pragma)
  const db = drizzle({ client, schema })
  migrate(db, { migrationsFolder })
  if (path === ":memory:") return { client, db }
  // The log is checkpointed by a worker thread, not inside this connection's commits on the event loop.
  client.pragma("wal_autocheckpoint = 0")
  // When a write starts the log over after a checkpoint, the file is cut back to this size.
  client.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`)
  return { client, db, checkpointer: startWalCheckpointer(path) }
}

/** SQLite through better-sqlite3 (Node). */
export const sqliteNodeLayer = sqliteLayer(openBetterSqlite)

/** Transaction-control statements prepared once per connection: they run for every write. */
export function preparedControl(prepare: (sql: string) => { run(): unknown }): Control {
  const statements = new Map<string, { run(): unknown }>()
  return (statement) => {
    let prepared = statements.get(statement)
    if (prepared === undefined) {
      prepared = prepare(statement)
      statements.set(statement, prepared)
    }
    prepared.run()
  }
}

/** A unit's effect failed: carries its exit out of the savepoint, which rolls back. */
class UnitFailed {
  constructor(readonly exit: Exit.Exit<unknown, unknown>) {}
}

const unavailable = storageUnavailable("SQLite")

type Query = { get(params?: unknown): unknown; all(params?: unknown): unknown; run(params?: unknown): unknown }

export function makeSqliteShape(db: Db, ping: () => boolean, url: string, exec: Control, sync?: Sync, hooks?: { readonly onCommit?: () => void }): DatabaseShape {
  const path = sqlitePath(url)
  const commit = makeGroupCommit(exec, sync)
  if (hooks?.onCommit !== undefined) commit.onCommit(hooks.onCommit)
  const unit = commit.unit(db)
  const attempt = <A>(f: () => A) => Effect.try({ try: f, catch: unavailable })
  const build = (b: (db: Db, t: typeof schema) => unknown) => b(db, schema) as Query

  /** Reads run as they are; writes join the turn's transaction (one statement is atomic by itself). */
  const joining = <A>(f: () => A) => attempt(() => commit.statement(db)(f))

  // The unit runs with the caller's services (its Clock — a TestClock in tests —, its fence, …).
  const transaction = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | DatabaseUnavailable> =>
    Effect.flatMap(Effect.context<never>(), (context): Effect.Effect<A, E | DatabaseUnavailable> => {
      let exit: Exit.Exit<A, E>
      try {
        exit = unit(() => {
          const result = Effect.runSyncExitWith(context)(effect)
          if (Exit.isFailure(result)) throw new UnitFailed(result)
          return result
        })
      } catch (error) {
        if (error instanceof UnitFailed) return error.exit as Exit.Exit<A, E>
        return Effect.fail(unavailable(error))
      }
      return exit
    })

  return Database.of({
    dialect: "sqlite",
    one: (b) => attempt(() => build(b).get() as never),
    all: (b) => attempt(() => build(b).all() as never),
    run: (b) => joining(() => void build(b).run()),
    prepare: {
      one: (b) => {
        const query = (build(b) as unknown as { prepare(): Query }).prepare()
        return (params) => attempt(() => query.get(params) as never)
      },
      all: (b) => {
        const query = (build(b) as unknown as { prepare(): Query }).prepare()
        return (params) => attempt(() => query.all(params) as never)
      },
      run: (b) => {
        const query = (build(b) as unknown as { prepare(): Query }).prepare()
        return (params) => joining(() => void query.run(params))
      }
    },
    transaction,
    committed: commit.committed,
    sharedTransaction: commit.transaction,
    openBatch: undefined,
    onRollback: commit.onRollback,
    ping: Effect.sync(() => {
      try {
        return ping()
      } catch {
        return false
      }
    }),
    dataDir: path === ":memory:" ? undefined : dirname(path)
  })
}
