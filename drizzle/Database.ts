/**
 * The database as an Effect service. Embedded mode: SQLite (better-sqlite3 on Node,
 * bun:sqlite on Bun — see sqlite-bun.ts) through one drizzle schema; migrations applied at start.
 * Dialect details stay in this folder.
 */
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { Context, Effect, Layer, Schema } from "effect"
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core"
import * as schema from "./schema.ts"

export type Db = BaseSQLiteDatabase<"sync", unknown, typeof schema>

export class DatabaseUnavailable extends Schema.TaggedError<DatabaseUnavailable>()("DatabaseUnavailable", {
  message: Schema.String
}) {}

export interface DatabaseShape {
  readonly db: Db
  /**
   * Runs `f` in one transaction (BEGIN IMMEDIATE) and commits; `f` must be synchronous.
   * `durable`: the commit reaches the disk before it returns (an fsync at the configured
   * `synchronous` level) — for what is acknowledged to a provider or an agent. Other commits
   * survive a process crash at once and a power loss from the next durable commit on; what they
   * write is always re-derivable from a durable row (an inbox event, an outbox entry).
   */
  readonly transaction: <A>(f: (tx: Db) => A, options?: { readonly durable?: boolean }) => A
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
      makeShape(db as unknown as Db, () => client.prepare("select 1").get() !== undefined, url, options, (pragma) => client.pragma(pragma))
    ))
  )

export function makeShape(
  db: Db,
  ping: () => boolean,
  url: string,
  options: SqliteOptions,
  pragma: (statement: string) => unknown
): DatabaseShape {
  const path = sqlitePath(url)
  // Everyday commits need no fsync (WAL, synchronous=NORMAL); durable ones switch up for their commit.
  pragma("synchronous = NORMAL")
  const durableLevel = `synchronous = ${options.synchronous}`
  return Database.of({
    db,
    transaction: (f, txOptions) => {
      const run = () => db.transaction((tx) => f(tx as unknown as Db), { behavior: "immediate" })
      if (txOptions?.durable !== true || options.synchronous === "NORMAL") return run()
      pragma(durableLevel)
      try {
        return run()
      } finally {
        pragma("synchronous = NORMAL")
      }
    },
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
