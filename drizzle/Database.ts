/**
 * The database as an Effect service. Embedded mode: SQLite (better-sqlite3 on Node,
 * bun:sqlite on Bun — see sqlite-bun.ts) through one drizzle schema; migrations applied at start.
 * Dialect details stay in this folder.
 */
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { Context, Effect, Layer } from "effect"
import { DatabaseUnavailable } from "./errors.ts"
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core"
import { type Control, makeGroupCommit } from "./GroupCommit.ts"
import * as schema from "./schema.ts"

export type Db = BaseSQLiteDatabase<"sync", unknown, typeof schema>

export { DatabaseUnavailable } from "./errors.ts"

export interface DatabaseShape {
  readonly db: Db
  /**
   * Runs `f` now, as one unit (a savepoint: it fails alone) of the transaction that gathers
   * every write of this turn of the event loop; that transaction commits once the turn is over
   * (group commit: one fsync for many writers). `f` must be synchronous. What others may see
   * of it — an answer, an event — waits for `committed`.
   */
  readonly transaction: <A>(f: (tx: Db) => A) => A
  /** Like `transaction`, for a single statement (atomic by itself: no savepoint). */
  readonly statement: <A>(f: (tx: Db) => A) => A
  /**
   * Call right after writing: resolves once the transaction those writes joined is committed;
   * fails if that commit failed (all of it rolled back).
   */
  readonly committed: () => Effect.Effect<void, DatabaseUnavailable>
  /** Called after a failed commit, so caches of rolled-back rows can be dropped. */
  readonly onRollback: (listener: () => void) => void
  /** Whether the database answers a trivial query. */
  readonly ping: () => boolean
  /** Where the database file lives (undefined in memory): media and other files go beside it. */
  readonly dataDir: string | undefined
}

export class Database extends Context.Service<Database, DatabaseShape>()("loket/drizzle/Database") {}

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url))

/** `file:./data/loket.db` → `./data/loket.db`; `:memory:` stays. Creates the folder. */
export function sqlitePath(url: string): string {
  if (url === ":memory:" || url === "file::memory:") return ":memory:"
  const path = url.replace(/^file:(\/\/)?/, "")
  mkdirSync(dirname(path), { recursive: true })
  return path
}

export interface SqliteOptions {
  readonly synchronous: "FULL" | "NORMAL"
}

/** Pragmas every SQLite connection gets: WAL, the chosen sync level, a busy timeout, foreign keys. */
export const sqlitePragmas = (options: SqliteOptions): ReadonlyArray<string> => [
  "journal_mode = WAL",
  `synchronous = ${options.synchronous}`,
  "busy_timeout = 5000",
  "foreign_keys = ON",
  "temp_store = MEMORY"
]

/** SQLite through better-sqlite3 (Node). */
export const sqliteNodeLayer = (url: string, options: SqliteOptions) =>
  Layer.effect(
    Database,
    Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const { default: BetterSqlite } = await import("better-sqlite3")
          const { drizzle } = await import("drizzle-orm/better-sqlite3")
          const { migrate } = await import("drizzle-orm/better-sqlite3/migrator")
          const path = sqlitePath(url)
          const client = new BetterSqlite(path)
          for (const pragma of sqlitePragmas(options)) client.pragma(pragma)
          const db = drizzle({ client, schema })
          migrate(db, { migrationsFolder })
          return { client, db }
        },
        catch: (cause) => new DatabaseUnavailable({ message: `SQLite at ${url} could not be opened: ${String(cause)}` })
      }),
      ({ client }) => Effect.sync(() => client.close())
    ).pipe(Effect.map(({ client, db }) =>
      makeShape(db as unknown as Db, () => client.prepare("select 1").get() !== undefined, url, preparedControl((sql) => client.prepare(sql)))
    ))
  )

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

export function makeShape(
  db: Db,
  ping: () => boolean,
  url: string,
  exec: Control
): DatabaseShape {
  const path = sqlitePath(url)
  const commit = makeGroupCommit(exec)
  return Database.of({
    db,
    transaction: commit.unit(db),
    statement: commit.statement(db),
    committed: commit.committed,
    onRollback: commit.onRollback,
    ping: () => {
      try {
        return ping()
      } catch {
        return false
      }
    },
    dataDir: path === ":memory:" ? undefined : dirname(path)
  })
}
