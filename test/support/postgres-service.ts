/** For the PostgreSQL tests of drizzle/: the database service on a fresh database of the test server. */
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { freshPostgresDatabase } from "./services.ts"
import { Database, type DatabaseShape } from "../../drizzle/Database.ts"
import { postgresLayer } from "../../drizzle/postgres.ts"

export async function openTestPostgres(poolSize: number): Promise<{ readonly database: DatabaseShape; readonly close: () => Promise<void> }> {
  const fresh = await freshPostgresDatabase()
  const scope = Effect.runSync(Scope.make())
  const database = Context.get(await Effect.runPromise(Layer.buildWithScope(postgresLayer(fresh.url, { poolSize }), scope)), Database)
  return {
    database,
    close: async () => {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      await fresh.drop()
    }
  }
}
