/**
 * SQLite through bun:sqlite (Bun only): the same schema, migrations and pragmas as on Node.
 * Imported by gateway/main.bun.ts alone, so Node never loads `bun:sqlite`.
 */
import { Effect, Layer } from "effect"
import * as schema from "./schema.ts"
import { Database, DatabaseUnavailable, type Db } from "./Database.ts"
import { durability, makeSqliteShape, migrationsFolder, preparedControl, type SqliteOptions, sqlitePath, sqlitePragmas } from "./sqlite.ts"

export const sqliteBunLayer = (url: string, options: SqliteOptions) =>
  Layer.effect(
    Database,
    Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const { Database: BunDatabase } = await import("bun:sqlite" as string)
          const { drizzle } = await import("drizzle-orm/bun-sqlite")
          const { migrate } = await import("drizzle-orm/bun-sqlite/migrator")
          const path = sqlitePath(url)
          const client = new BunDatabase(path, { create: true })
          for (const pragma of sqlitePragmas(options)) client.exec(`PRAGMA ${pragma}`)
          const db = drizzle({ client, schema })
          migrate(db, { migrationsFolder })
          return { client, db, wal: durability(path, options) }
        },
        catch: (cause) => new DatabaseUnavailable({ message: `SQLite at ${url} could not be opened: ${String(cause)}` })
      }),
      ({ client, wal }) => Effect.sync(() => {
        wal?.close()
        client.close()
      })
    ).pipe(Effect.map(({ client, db, wal }) =>
      makeSqliteShape(db as unknown as Db, () => client.prepare("select 1").get() !== undefined, url, preparedControl((sql) => client.prepare(sql)), wal?.sync)
    ))
  )
