/**
 * The database as an Effect service, the same for both dialects: SQLite (embedded mode,
 * better-sqlite3 on Node, bun:sqlite on Bun — sqlite.ts, sqlite-bun.ts) and PostgreSQL
 * (`DATABASE_URL=postgres://…` — postgres.ts). Queries are written once, against the SQLite
 * schema's types; schema-parity.test.ts keeps the PostgreSQL schema (schema.pg.ts) identical,
 * so the same query text runs on either. Dialect details stay in this folder.
 */
import { Context, type Effect } from "effect"
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core"
import type { DatabaseUnavailable } from "./errors.ts"
import type * as schema from "./schema.ts"

export { DatabaseUnavailable } from "./errors.ts"

/** What a query is written against (at run time: the configured dialect's database and tables). */
export type Db = BaseSQLiteDatabase<"sync", unknown, typeof schema>
export type Tables = typeof schema

/** Builds a query; placeholders (`sql.placeholder("name")`) take the parameters of each run. */
export type Build<Q> = (db: Db, t: Tables) => Q
type Params = Record<string, unknown>
type Row<Q> = Q extends { get: (...args: Array<any>) => infer R } ? R : never
type Rows<Q> = Q extends { all: (...args: Array<any>) => infer R } ? R : never

/** Queries built on each call, their values inline (for what is not hot, or has a varying shape). */
export interface Queries {
  /** The first row the query yields (or the row an insert … returning wrote), if any. */
  one<Q extends { get: (...args: Array<any>) => unknown }>(build: Build<Q>): Effect.Effect<Row<Q>, DatabaseUnavailable>
  all<Q extends { all: (...args: Array<any>) => unknown }>(build: Build<Q>): Effect.Effect<Rows<Q>, DatabaseUnavailable>
  run(build: Build<{ run: (...args: Array<any>) => unknown }>): Effect.Effect<void, DatabaseUnavailable>
}

/** Queries prepared once (hot paths): each returns a function of the placeholders' values. */
export interface Prepared {
  one<Q extends { get: (...args: Array<any>) => unknown }>(build: Build<Q>): (params?: Params) => Effect.Effect<Row<Q>, DatabaseUnavailable>
  all<Q extends { all: (...args: Array<any>) => unknown }>(build: Build<Q>): (params?: Params) => Effect.Effect<Rows<Q>, DatabaseUnavailable>
  run(build: Build<{ run: (...args: Array<any>) => unknown }>): (params?: Params) => Effect.Effect<void, DatabaseUnavailable>
}

export interface DatabaseShape extends Queries {
  readonly dialect: "sqlite" | "postgres"
  readonly prepare: Prepared
  /**
   * Runs `effect` as one unit that fails alone. It may only use this service's queries and
   * plain computation. SQLite: a savepoint of the transaction that gathers every write of this
   * turn of the event loop (group commit: one fsync for many writers), run synchronously;
   * PostgreSQL: a transaction of its own. What others may see of it waits for `committed`.
   */
  readonly transaction: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E | DatabaseUnavailable>
  /**
   * Call right after a transaction: resolves once it is durable; fails if that commit failed
   * (all of it rolled back).
   */
  readonly committed: () => Effect.Effect<void, DatabaseUnavailable>
  /**
   * SQLite: the number of the shared transaction writes join now (writes with the same number
   * share one commit — group commit). PostgreSQL: undefined (every transaction commits alone).
   */
  readonly sharedTransaction: () => number | undefined
  /**
   * PostgreSQL (cluster mode): opens a batch, one transaction that the transactions of many
   * units of work (a partition's waiting events, each in its own actor) join — fenced once, at
   * its start, committed once (batch.ts). SQLite: undefined (group commit does this already).
   */
  readonly openBatch: ((fence: Fence) => Effect.Effect<OpenBatch, DatabaseUnavailable>) | undefined
  /** Called after a failed commit, so caches of rolled-back rows can be dropped. */
  readonly onRollback: (listener: () => void) => void
  /** Whether the database answers a trivial query. */
  readonly ping: Effect.Effect<boolean>
  /** Where local files (the media cache) go by default: beside the SQLite file, else undefined. */
  readonly dataDir: string | undefined
}

export class Database extends Context.Service<Database, DatabaseShape>()("loket/drizzle/Database") {}

/** The partition lease some work runs under (cluster mode), with the lease's fencing token. */
export interface Fence {
  readonly partition: number
  readonly token: number
}

/**
 * Cluster mode: the lease the current work runs under. A PostgreSQL transaction started with
 * it first records its token for the partition — refused (DatabaseUnavailable with `fenced`)
 * when a newer owner's higher token is already there — and holds that row until it commits, so
 * a deposed owner's turn either ends before its successor's first write or never lands.
 */
export const CurrentFence = Context.Reference<Fence | undefined>("loket/drizzle/CurrentFence", { defaultValue: () => undefined })

/**
 * A batch being applied (PostgreSQL): each unit of work gets a member; run under it (with
 * CurrentBatch), the unit's `transaction` joins the batch's transaction and its `committed()`
 * waits for the batch's commit.
 */
export interface OpenBatch {
  /** A member for one more unit of work; call before `commit`. */
  readonly member: () => BatchMember
  /**
   * Once every member has arrived (its transaction done, waiting in `committed()`, or finished
   * without one), commits. Fails, everything of the batch rolled back, when a member's
   * transaction failed, a member did not arrive in time, or the commit failed.
   */
  readonly commit: Effect.Effect<void, DatabaseUnavailable>
  /** Rolls the batch back (nothing of it lands); its members' transactions fail. */
  readonly rollback: Effect.Effect<void>
}

export interface BatchMember {
  /** This unit is done with the batch: its transaction waits for the commit, or it needs none. Idempotent. */
  readonly arrive: () => void
  /** The batch failed: this unit's writes in it are rolled back (or never made); it is to be applied again alone. */
  readonly failed: () => boolean
  /** Whether this unit wrote in the batch's transaction, or was turned away because the batch had failed. */
  readonly mustRetry: () => boolean
}

/** The batch member the current unit of work runs as (cluster mode), if any. */
export const CurrentBatch = Context.Reference<BatchMember | undefined>("loket/drizzle/CurrentBatch", { defaultValue: () => undefined })

/** Whether `error` is a refusal by the fence: the work belongs to another instance now. */
export const isFenced = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "DatabaseUnavailable" && (error as { fenced?: boolean }).fenced === true

/** Numbers from `count(*)` and other aggregates: PostgreSQL answers bigint as text. */
export const toNumber = (value: unknown): number => (typeof value === "number" ? value : Number(value ?? 0))
