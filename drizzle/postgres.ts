/**
 * PostgreSQL (`DATABASE_URL=postgres://…`, cluster mode): node-postgres pool of
 * `LOKET_DB_POOL_SIZE` connections, the same queries as SQLite run on schema.pg.ts, migrations
 * from migrations-pg/ applied at start under an advisory lock (instances may start together).
 * Each transaction is a PostgreSQL transaction of its own; it is durable when it returns.
 */
import { fileURLToPath } from "node:url"
import { sql } from "drizzle-orm"
import { Context, Effect, Exit, Layer } from "effect"
import { type Build, CurrentFence, Database, type DatabaseShape, type Db, type Fence, type Tables } from "./Database.ts"
import { DatabaseUnavailable, storageUnavailable } from "./errors.ts"
import * as pgSchema from "./schema.pg.ts"

export const pgMigrationsFolder = fileURLToPath(new URL("./migrations-pg", import.meta.url))

/** Any number: the key of the advisory lock that serialises migrations across instances. */
const MIGRATION_LOCK = 7_463_101

type PgDb = import("drizzle-orm/node-postgres").NodePgDatabase<typeof pgSchema>
type Runnable = { prepare(name: string): { execute(params?: unknown): Promise<unknown> } } & PromiseLike<unknown>

/** The transaction the current fiber runs in, if any: queries go to its connection. */
const CurrentTransaction = Context.Reference<PgDb | undefined>("loket/drizzle/postgres/CurrentTransaction", { defaultValue: () => undefined })

const unavailable = storageUnavailable("PostgreSQL")

/** Hides the password when the URL is shown in a message. */
export const redactUrl = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@")

export const postgresLayer = (url: string, options: { readonly poolSize: number }) =>
  Layer.effect(
    Database,
    Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const { Pool } = (await import("pg")).default
          const { drizzle } = await import("drizzle-orm/node-postgres")
          const { migrate } = await import("drizzle-orm/node-postgres/migrator")
          const pool = new Pool({ connectionString: url, max: options.poolSize, connectionTimeoutMillis: 5000 })
          // An idle connection that breaks (server restart) is dropped, not thrown at the process.
          pool.on("error", () => {})
          const client = await pool.connect()
          try {
            await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK])
            await migrate(drizzle({ client, schema: pgSchema }), { migrationsFolder: pgMigrationsFolder })
            await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK])
          } finally {
            client.release()
          }
          return { pool, db: drizzle({ client: pool, schema: pgSchema }) }
        },
        catch: (cause) => new DatabaseUnavailable({ message: `PostgreSQL at ${redactUrl(url)} could not be opened: ${String(cause)}` })
      }),
      ({ pool }) => Effect.promise(() => pool.end())
    ).pipe(Effect.map(({ db }) => makePostgresShape(db)))
  )

/** Thrown out of drizzle's transaction callback when the effect failed: it rolls back. */
class RolledBack {}

/** Thrown out of drizzle's transaction callback when the fence refused: nothing was written. */
class FencedOut {}

/**
 * Records `fence.token` as the partition's token unless a higher one is there; the row stays
 * locked until the transaction ends. False: a newer owner has written.
 */
async function holdFence(tx: PgDb, fence: Fence): Promise<boolean> {
  const { partitionFences } = pgSchema
  const rows = await tx.insert(partitionFences).values({ partition: fence.partition, token: fence.token })
    .onConflictDoUpdate({ target: partitionFences.partition, set: { token: sql`excluded.token` }, setWhere: sql`${partitionFences.token} <= excluded.token` })
    .returning({ token: partitionFences.token })
  return rows.length > 0
}

export function makePostgresShape(pool: PgDb): DatabaseShape {
  let statements = 0
  const rollbackListeners: Array<() => void> = []
  const current = Effect.map(Effect.service(CurrentTransaction), (tx) => tx ?? pool)
  /** The query text is the SQLite-typed one; schema-parity.test.ts proves the PostgreSQL tables identical. */
  const build = (b: Build<unknown>, db: PgDb) => b(db as unknown as Db, pgSchema as unknown as Tables) as Runnable

  /** Runs the query on the current transaction's connection (else the pool): named when `prepared`. */
  const execute = (b: Build<unknown>, prepared?: { readonly name: string; readonly params: Record<string, unknown> }) =>
    Effect.flatMap(current, (db) =>
      Effect.tryPromise({
        try: () => {
          const query = build(b, db)
          return prepared === undefined ? Promise.resolve(query) : query.prepare(prepared.name).execute(prepared.params)
        },
        catch: unavailable
      }))
  const named = (b: Build<unknown>) => {
    const name = `loket_${++statements}`
    return (params?: Record<string, unknown>) => execute(b, { name, params: params ?? {} })
  }
  const first = (rows: unknown) => (Array.isArray(rows) ? rows[0] : undefined) as never
  const list = (rows: unknown) => (Array.isArray(rows) ? rows : []) as never

  const transaction = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | DatabaseUnavailable> =>
    Effect.flatMap(Effect.all([Effect.service(CurrentTransaction), Effect.service(CurrentFence), Effect.context<never>()]), ([outer, fence, context]): Effect.Effect<A, E | DatabaseUnavailable> => {
      if (outer !== undefined) return effect // joins the enclosing transaction
      return Effect.tryPromise({
        try: async () => {
          let exit: Exit.Exit<A, E> | undefined
          try {
            await pool.transaction(async (tx) => {
              if (fence !== undefined && !(await holdFence(tx as unknown as PgDb, fence))) throw new FencedOut()
              // With the caller's services (its Clock, …), on the transaction's connection.
              exit = await Effect.runPromiseExitWith(context)(Effect.provideService(effect, CurrentTransaction, tx as unknown as PgDb))
              if (Exit.isFailure(exit)) throw new RolledBack()
            })
          } catch (error) {
            if (!(error instanceof RolledBack)) throw error
          }
          return exit!
        },
        catch: (cause) => cause instanceof FencedOut
          ? new DatabaseUnavailable({ message: "a newer owner of this conversation's partition has written: the work is left to it", fenced: true })
          : unavailable(cause)
      }).pipe(
        Effect.flatten,
        Effect.tapError(() => Effect.sync(() => rollbackListeners.forEach((listener) => listener())))
      )
    })

  return Database.of({
    dialect: "postgres",
    one: (b) => Effect.map(execute(b), first),
    all: (b) => Effect.map(execute(b), list),
    run: (b) => Effect.asVoid(execute(b)),
    prepare: {
      one: (b) => {
        const run = named(b)
        return (params) => Effect.map(run(params), first)
      },
      all: (b) => {
        const run = named(b)
        return (params) => Effect.map(run(params), list)
      },
      run: (b) => {
        const run = named(b)
        return (params) => Effect.asVoid(run(params))
      }
    },
    transaction,
    // A transaction here is durable once it has returned.
    committed: () => Effect.void,
    sharedTransaction: () => undefined,
    onRollback: (listener) => void rollbackListeners.push(listener),
    ping: Effect.tryPromise(() => pool.execute(sql`select 1`)).pipe(
      Effect.timeout("2 seconds"),
      Effect.as(true),
      Effect.catchCause(() => Effect.succeed(false))
    ),
    dataDir: undefined
  })
}
