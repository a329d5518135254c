/**
 * The few JetStream KV operations leases need, as Effects. Revision checks come back as a value
 * ("conflict"), not as an error: losing a race is normal. Everything else (no connection, timeout,
 * no JetStream) is `LeaseStoreUnavailable`.
 */
import { Effect, Schema } from "effect"
import type { JetStreamClient, KV } from "nats"

export class LeaseStoreUnavailable extends Schema.TaggedError<LeaseStoreUnavailable>()("LeaseStoreUnavailable", {
  message: Schema.String
}) {}

/** JetStream's "wrong last sequence": the key is not at the revision the write expected. */
const WRONG_LAST_SEQUENCE = 10071

function isWrongLastSequence(cause: unknown): boolean {
  const apiError = (cause as { api_error?: { err_code?: number } } | null)?.api_error
  return apiError?.err_code === WRONG_LAST_SEQUENCE
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}

const attempt = <A>(what: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => new LeaseStoreUnavailable({ message: `${what}: ${describe(cause)}` }) })

/** A revision-checked write that lost its race. */
export type Conflict = "conflict"

const orConflict = <A>(what: string, run: () => Promise<A>): Effect.Effect<A | Conflict, LeaseStoreUnavailable> =>
  Effect.tryPromise({
    try: run,
    catch: (cause) => isWrongLastSequence(cause) ? "conflict" as const : new LeaseStoreUnavailable({ message: `${what}: ${describe(cause)}` })
  }).pipe(Effect.catch((error) => error === "conflict" ? Effect.succeed("conflict" as const) : Effect.fail(error)))

export interface BucketOptions {
  /** Bucket TTL (JetStream max_age): a key not written for this long disappears. Omit for none. */
  readonly ttlMs?: number
  readonly replicas: number
}

/** Opens the bucket, creating it if needed (an existing bucket keeps its own settings). */
export const openBucket = (js: JetStreamClient, name: string, options: BucketOptions) =>
  attempt(`opening KV bucket ${name}`, () =>
    js.views.kv(name, { history: 1, replicas: options.replicas, ...(options.ttlMs === undefined ? {} : { ttl: options.ttlMs }) }))

/** The bucket's TTL in ms as the server has it (0: none). */
export const bucketTtl = (kv: KV) => attempt("reading KV bucket status", () => kv.status()).pipe(Effect.map((status) => status.ttl))

/** Writes `key` only if it does not exist (or was deleted); its revision, or "conflict". */
export const createKey = (kv: KV, key: string, value: string) => orConflict(`creating ${key}`, () => kv.create(key, value))

/** Writes `key` only if it is still at `revision`; the new revision, or "conflict". */
export const updateKey = (kv: KV, key: string, value: string, revision: number) =>
  orConflict(`updating ${key}`, () => kv.update(key, value, revision))

/** Deletes `key` only if it is still at `revision`. */
export const deleteKey = (kv: KV, key: string, revision: number) =>
  orConflict(`deleting ${key}`, () => kv.delete(key, { previousSeq: revision }))

/** Writes `key` whatever it holds (heartbeats). */
export const putKey = (kv: KV, key: string, value: string) => attempt(`writing ${key}`, () => kv.put(key, value))

/** Deletes `key` whatever it holds (an instance's own heartbeat). */
export const removeKey = (kv: KV, key: string) => attempt(`deleting ${key}`, () => kv.delete(key))

export interface StoredEntry {
  readonly revision: number
  readonly value: string
}

/** The key's current value; undefined when absent, deleted or expired. */
export const readEntry = (kv: KV, key: string): Effect.Effect<StoredEntry | undefined, LeaseStoreUnavailable> =>
  attempt(`reading ${key}`, () => kv.get(key)).pipe(
    Effect.map((entry) => entry === null || entry.operation !== "PUT" ? undefined : { revision: entry.revision, value: entry.string() })
  )

/** The keys that hold a value now (deleted and expired ones left out); gives up after `timeoutMs`. */
export const listKeys = (kv: KV, timeoutMs: number): Effect.Effect<ReadonlySet<string>, LeaseStoreUnavailable> =>
  attempt("listing keys", async function collectKeys() {
    const keys = new Set<string>()
    for await (const key of await kv.keys()) keys.add(key)
    return keys
  }).pipe(
    Effect.timeout(timeoutMs),
    Effect.catchTag("TimeoutError", () => Effect.fail(new LeaseStoreUnavailable({ message: `listing keys: no answer within ${timeoutMs} ms` })))
  )
