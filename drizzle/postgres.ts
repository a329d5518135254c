/**
 * PostgreSQL (`DATABASE_URL=postgres://…`, cluster mode): node-postgres pool of
 * `LOKET_DB_POOL_SIZE` connections, the same queries as SQLite run on schema.pg.ts, migrations
 * from migrations-pg/ applied at start under an advisory lock (instances may start together).
 * Each transaction is a PostgreSQL transaction of its own; it is durable when it returns —
 * except under a batch (cluster mode, `openBatch`): then the transactions of the batch's members
 * join one PostgreSQL transaction, fenced once at its start, and are durable when it commits.
 */
import { fileURLToPath } from "node:url"
import { sql } from "drizzle-orm"
import { Context, Deferred, Effect, Exit, Layer } from "effect"
import {
  type BatchMember, type Build, CurrentBatch, CurrentFence, Database, type DatabaseShape, type Db, type Fence, type OpenBatch, type Tables
} from "./Database.ts"
import { DatabaseUnavailable, storageUnavailable } from "./errors.ts"
import { coalescingSocket } from "./pgSocket.ts"
import * as pgSchema from "./schema.pg.ts"

export const pgMigrationsFolder = fileURLToPath(new URL("./migrations-pg", import.meta.url))

/** Any number: the key of the advisory lock that serialises migrations across instances. */
const MIGRATION_LOCK = 7_463_101

type PgDb = import("drizzle-orm/node-postgres").NodePgDatabase<typeof pgSchema>
type Prepared = { execute(params?: unknown): Promise<unknown> }
type Runnable = { prepare(name: string): Prepared } & PromiseLike<unknown>

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
          // pipeline: a connection sends each query at once, without waiting for the answers to those
          // before it (a batch's members write concurrently on its transaction's one connection:
          // their statements travel together, and their answers come back in fewer reads).
          // On Node, what a connection writes in one turn of the event loop leaves in one system call (./pgSocket.ts).
          const stream = process.versions.bun === undefined ? coalescingSocket : undefined
          const pool = new Pool({ connectionString: url, max: options.poolSize, connectionTimeoutMillis: 5000, pipeline: true, ...(stream === undefined ? {} : { stream }) })
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
    ).pipe(Effect.map(({ db }) => makePostgresShape(db, { openBatches: Math.max(1, Math.floor(options.poolSize / 2)) })))
  )

/** Thrown out of drizzle's transaction callback when the effect failed: it rolls back. */
class RolledBack {}

/** Thrown out of drizzle's transaction callback when the fence refused: nothing was written. */
class FencedOut {}

/** How long a batch waits for its members to arrive before it gives up: rolled back, its events applied one at a time. */
export const BATCH_ARRIVAL_MS = 30_000

/**
 * Holds `fence.token` for the partition until the transaction ends; false: a newer owner has
 * written. When the partition's row already holds this token (the common case) it is only
 * share-locked: this instance's transactions under the same lease (a batch and an agent's reply
 * beside it) do not wait for each other, while a successor's higher token — an update, which
 * takes the row exclusively — waits until every one of them has ended, and refuses them after.
 * Otherwise the token is recorded (an upsert that refuses a lower token), the row locked exclusively.
 */
async function holdFence(tx: PgDb, fence: Fence): Promise<boolean> {
  return (await shareFence(tx, fence)) || recordFence(tx, fence)
}

/** Share-locks the partition's row if it holds `fence.token`; false if it holds another token (or none yet). */
async function shareFence(tx: PgDb, fence: Fence): Promise<boolean> {
  const { partitionFences } = pgSchema
  const held = await tx.select({ token: partitionFences.token }).from(partitionFences)
    .where(sql`${partitionFences.partition} = ${fence.partition} and ${partitionFences.token} = ${fence.token}`).for("share")
  return held.length > 0
}

/** Records `fence.token` for the partition unless a higher one is there (the row locked exclusively); false: a newer owner has written. */
async function recordFence(db: PgDb, fence: Fence): Promise<boolean> {
  const { partitionFences } = pgSchema
  const rows = await db.insert(partitionFences).values({ partition: fence.partition, token: fence.token })
    .onConflictDoUpdate({ target: partitionFences.partition, set: { token: sql`excluded.token` }, setWhere: sql`${partitionFences.token} <= excluded.token` })
    .returning({ token: partitionFences.token })
  return rows.length > 0
}

/** A batch's transaction found the partition's row without its token: recorded first, in a statement of its own. */
class FenceNotRecorded {}

const fencedOut = () =>
  new DatabaseUnavailable({ message: "a newer owner of this conversation's partition has written: the work is left to it", fenced: true })

/** One batch's PostgreSQL transaction and what its members did (see `openBatch`). */
class Batch {
  state: "open" | "committing" | "committed" | "failed" = "open"
  members = 0
  arrived = 0
  sealed = false
  failure: DatabaseUnavailable | undefined
  /** The commit's outcome, awaited by the members' `committed()`. */
  readonly outcome = Deferred.makeUnsafe<void, DatabaseUnavailable>()
  readonly allArrived = Deferred.makeUnsafe<void>()
  constructor(readonly tx: PgDb) {}

  check() {
    if (this.sealed && this.arrived >= this.members) Deferred.doneUnsafe(this.allArrived, Effect.void)
  }

  fail(failure: DatabaseUnavailable) {
    if (this.state === "committed" || this.state === "failed") return
    this.state = "failed"
    this.failure = failure
    Deferred.doneUnsafe(this.outcome, Effect.fail(failure))
  }
}

class Member implements BatchMember {
  /** It wrote in the batch's transaction. */
  joined = false
  /** It came to write after the batch had failed, and was turned away. */
  turnedAway = false
  private done = false
  constructor(readonly batch: Batch) {}
  arrive() {
    if (this.done) return
    this.done = true
    this.batch.arrived++
    this.batch.check()
  }
  failed() {
    return this.batch.state === "failed"
  }
  mustRetry() {
    return this.joined || this.turnedAway
  }
}

/**
 * `openBatches`: how many batches may hold a connection at once. A batch's members also read
 * outside it (an actor loading its conversation) and the API needs connections: batches holding
 * every connection of the pool would wait for members that wait for a connection.
 */
export function makePostgresShape(pool: PgDb, options: { readonly openBatches: number } = { openBatches: 1 }): DatabaseShape {
  let statements = 0
  let batchesOpen = 0
  const waitingForConnection: Array<() => void> = []
  const batchPermit = (): Promise<void> => {
    if (batchesOpen < options.openBatches) {
      batchesOpen++
      return Promise.resolve()
    }
    return new Promise((resolve) => waitingForConnection.push(resolve))
  }
  const releaseBatchPermit = () => {
    const next = waitingForConnection.shift()
    if (next !== undefined) next()
    else batchesOpen--
  }
  const rollbackListeners: Array<() => void> = []
  /** Transactions of batches that have ended: a straggler's statement must not run on the connection once it is back in the pool. */
  const ended = new WeakSet<PgDb>()
  const batchOf = new WeakMap<PgDb, Batch>()
  const current = Effect.flatMap(Effect.service(CurrentTransaction), (tx) =>
    tx !== undefined && ended.has(tx)
      ? Effect.fail(new DatabaseUnavailable({ message: "the batch this write belonged to has ended; it is applied again on its own" }))
      : Effect.succeed(tx ?? pool))
  /** The query text is the SQLite-typed one; schema-parity.test.ts proves the PostgreSQL tables identical. */
  const build = (b: Build<unknown>, db: PgDb) => b(db as unknown as Db, pgSchema as unknown as Tables) as Runnable

  const failed = (db: PgDb, cause: unknown) => {
    // A failed statement aborts the whole PostgreSQL transaction, even when its unit goes on.
    batchOf.get(db)?.fail(new DatabaseUnavailable({ message: "a statement of the batch failed: its events are applied again one at a time" }))
    return unavailable(cause)
  }

  /** Runs the query, built afresh, on the current transaction's connection (else the pool). */
  const execute = (b: Build<unknown>) =>
    Effect.flatMap(current, (db) =>
      Effect.tryPromise({
        try: () => Promise.resolve(build(b, db)),
        catch: (cause) => failed(db, cause)
      }))
  /**
   * A prepared statement's query is built by drizzle once (on the pool) and kept: each run only
   * fills in its placeholders, on the current transaction's connection (else the pool). PostgreSQL
   * parses and plans it once per connection (node-postgres names it).
   */
  const named = (b: Build<unknown>) => {
    const name = `loket_${++statements}`
    let prepared: Prepared | undefined
    const onConnection = new WeakMap<PgDb, Prepared>()
    const preparedOn = (db: PgDb): Prepared => {
      prepared ??= build(b, pool).prepare(name) as Prepared
      if (db === pool) return prepared
      let bound = onConnection.get(db)
      if (bound === undefined) {
        // The same query on the transaction's client: everything else is the pool's prepared query's.
        bound = Object.create(prepared, { client: { value: (db as unknown as { session: { client: unknown } }).session.client } }) as Prepared
        onConnection.set(db, bound)
      }
      return bound
    }
    return (params?: Record<string, unknown>) =>
      Effect.flatMap(current, (db) =>
        Effect.tryPromise({
          try: () => preparedOn(db).execute(params ?? {}),
          catch: (cause) => failed(db, cause)
        }))
  }
  const first = (rows: unknown) => (Array.isArray(rows) ? rows[0] : undefined) as never
  const list = (rows: unknown) => (Array.isArray(rows) ? rows : []) as never

  const transaction = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | DatabaseUnavailable> =>
    Effect.flatMap(Effect.all([Effect.service(CurrentTransaction), Effect.service(CurrentFence), Effect.service(CurrentBatch), Effect.context<never>()]), ([outer, fence, member, context]): Effect.Effect<A, E | DatabaseUnavailable> => {
      if (outer !== undefined) return effect // joins the enclosing transaction
      if (member instanceof Member) {
        const batch = member.batch
        if (batch.state === "failed") {
          member.turnedAway = true
          return Effect.fail(batch.failure!)
        }
        // Joins the batch's transaction (fenced at its start). Whatever fails in it fails the batch:
        // without a savepoint its writes cannot be undone alone.
        if (batch.state === "open") {
          member.joined = true
          return Effect.provideService(effect, CurrentTransaction, batch.tx).pipe(
            Effect.onExit((exit) => Effect.sync(() => {
              if (Exit.isFailure(exit)) batch.fail(new DatabaseUnavailable({ message: "a write of the batch failed: its events are applied again one at a time" }))
            }))
          )
        }
        // The batch is committing: a unit that came late (it failed before writing, and was retried) writes alone.
      }
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
        catch: (cause) => cause instanceof FencedOut ? fencedOut() : unavailable(cause)
      }).pipe(
        Effect.flatten,
        Effect.tapError(() => Effect.sync(() => rollbackListeners.forEach((listener) => listener())))
      )
    })

  const rolledBack = () => rollbackListeners.forEach((listener) => listener())

  /**
   * A PostgreSQL transaction kept open for a batch's members: the fence is held at its start
   * (once for the batch); it commits once every member has arrived. Members run concurrently, each
   * in its conversation's actor, on the transaction's one connection: node-postgres sends their
   * statements one after another, and what each writes is its own conversation's rows.
   */
  const openBatch = (fence: Fence): Effect.Effect<OpenBatch, DatabaseUnavailable> =>
    Effect.suspend(() => {
      /**
       * Opens the transaction and share-locks the fence. A new token is recorded first, on its own
       * (an exclusive lock held for the length of a batch would hold up this lease's other
       * transactions, and they may be what the batch waits for); then the batch opens again.
       */
      const begin = async (again: boolean): Promise<{ tx: PgDb; done: Promise<void>; finish: (commit: boolean) => void }> => {
        let started!: (tx: PgDb) => void
        let finish!: (commit: boolean) => void
        const opened = new Promise<PgDb>((resolve) => (started = resolve))
        const finishing = new Promise<boolean>((resolve) => (finish = resolve))
        await batchPermit()
        const done = pool.transaction(async (tx) => {
          if (!(await shareFence(tx as unknown as PgDb, fence))) throw new FenceNotRecorded()
          started(tx as unknown as PgDb)
          if (!(await finishing)) throw new RolledBack()
        })
        done.then(releaseBatchPermit, releaseBatchPermit) // and observed by commit or rollback (or by the race below, when opening fails)
        try {
          const tx = await Promise.race([opened, done.then((): never => { throw new Error("the batch's transaction ended before it began") })])
          return { tx, done, finish }
        } catch (error) {
          if (!(error instanceof FenceNotRecorded)) throw error
          if (again || !(await recordFence(pool, fence))) throw new FencedOut()
          return begin(true)
        }
      }
      return Effect.tryPromise({
        try: () => begin(false),
        catch: (cause) => (cause instanceof FencedOut ? fencedOut() : unavailable(cause))
      }).pipe(Effect.map(({ tx, done, finish }): OpenBatch => {
        const batch = new Batch(tx)
        batchOf.set(tx, batch)
        /**
         * Ends the transaction. What comes of it is settled in the promise's own callbacks, so an
         * interrupted caller (the consumer stopped mid-commit) still leaves the members told.
         */
        const end = (commit: boolean) => {
          finish(commit)
          return done.then(() => {
            ended.add(tx)
            if (!commit) return
            batch.state = "committed"
            Deferred.doneUnsafe(batch.outcome, Effect.void)
          }, (error: unknown) => {
            ended.add(tx)
            batch.fail(error instanceof RolledBack || batch.failure !== undefined ? batch.failure! : unavailable(error))
            rolledBack()
          })
        }
        const rollback = Effect.suspend(() => {
          // Once committing, the commit goes on (its outcome reaches the members all the same).
          if (batch.state !== "open" && batch.state !== "failed") return Effect.void
          if (ended.has(tx)) return Effect.void
          batch.fail(new DatabaseUnavailable({ message: "the batch was rolled back: its events are applied again" }))
          return Effect.promise(() => end(false))
        })
        const commit = Effect.gen(function*() {
          batch.sealed = true
          batch.check()
          const arrived = yield* Deferred.await(batch.allArrived).pipe(Effect.timeoutOption(BATCH_ARRIVAL_MS))
          if (arrived._tag === "None") batch.fail(new DatabaseUnavailable({ message: `a batch's events were not all applied within ${BATCH_ARRIVAL_MS / 1000} s: they are applied again one at a time` }))
          if (batch.state === "failed") {
            yield* rollback
            return yield* Effect.fail(batch.failure!)
          }
          batch.state = "committing"
          void end(true)
          return yield* Deferred.await(batch.outcome)
        })
        return {
          member: () => {
            batch.members++
            return new Member(batch)
          },
          commit,
          rollback
        }
      }))
    })

  /** Under a batch member that wrote in the batch: waits for the batch's commit. Else a transaction is durable once it returned. */
  const committed = () =>
    Effect.flatMap(Effect.service(CurrentBatch), (member): Effect.Effect<void, DatabaseUnavailable> => {
      if (!(member instanceof Member) || !member.joined) return Effect.void
      member.arrive()
      return Deferred.await(member.batch.outcome)
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
    committed,
    sharedTransaction: () => undefined,
    openBatch,
    onRollback: (listener) => void rollbackListeners.push(listener),
    ping: Effect.tryPromise(() => pool.execute(sql`select 1`)).pipe(
      Effect.timeout("2 seconds"),
      Effect.as(true),
      Effect.catchCause(() => Effect.succeed(false))
    ),
    dataDir: undefined
  })
}
