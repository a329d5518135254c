/**
 * SQLite through bun:sqlite (Bun only): the same schema, migrations and pragmas as on Node.
 * Imported by gateway/main.bun.ts alone, so Node never loads `bun:sqlite`.
 */
import * as schema from "./schema.ts"
import { migrationsFolder, sqliteLayer } from "./sqlite.ts"

export const sqliteBunLayer = sqliteLayer(async function openBunSqlite(path, pragmas) {
  const { Database: BunDatabase } = await import("bun:sqlite" as string)
  const { drizzle } = await import("drizzle-orm/bun-sqlite")
  const { migrate } = await import("drizzle-orm/bun-sqlite/migrator")
  const client = new BunDatabase(path, { create: true })
  for (const pragma of pragmas) client.exec(`PRAGMA ${pragma}`)
  const db = drizzle({ client, schema })
  migrate(db, { migrationsFolder })
  return { client, db }
})
