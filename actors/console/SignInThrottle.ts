/**
 * Throttles console sign-in: after ACCOUNT_LIMIT wrong passwords for one e-mail address, or
 * ADDRESS_LIMIT from one client address, within WINDOW_MS, further attempts are refused until
 * the oldest failure in the window has aged out (the answer says when: Retry-After). A good
 * password clears the account's count (not the address's).
 *
 * The failures are rows of the database (`sign_in_failures`), so in cluster mode every instance
 * reads the same counts: an attacker spread over N instances gets no more attempts than on one.
 * Time is Effect's Clock. Keys are SHA-256 hashes, so no e-mail or address is stored in clear;
 * rows older than the window are deleted as new failures come in (the table holds at most the
 * last quarter hour's failures).
 *
 * `attempt` counts an attempt before its password is checked (a failure until `succeeded` says
 * otherwise) and only then reads the count, which includes it: of attempts running at the same
 * moment on several instances, each is counted before any of them is let through, so no
 * interleaving lets more than the limit through. A refused attempt's rows are deleted again, so
 * refusals do not prolong the wait.
 */
import { createHash } from "node:crypto"
import { and, count, desc, eq, gt, inArray, lte, or } from "drizzle-orm"
import { Context, Effect, Layer } from "effect"
import { newId } from "../../domain/ids.ts"
import { nowMillis } from "../../domain/time.ts"
import { Database, type DatabaseUnavailable } from "../../drizzle/Database.ts"

export const WINDOW_MS = 15 * 60 * 1000
export const ACCOUNT_LIMIT = 5
export const ADDRESS_LIMIT = 20

/** The stored key of an account or an address: a hash, never the value. */
export const throttleKey = (kind: "email" | "address", value: string) => createHash("sha256").update(`${kind}:${value}`).digest("base64url")

export interface SignInKeys {
  readonly email: string
  readonly address: string
}

const iso = (ms: number) => new Date(ms).toISOString()

/** An attempt `attempt` counted: `retryAfter` > 0 when it is refused (then it is not counted). */
export interface SignInAttempt {
  readonly retryAfter: number
  /** The rows that count it (account, address), to be cleared by `succeeded`. */
  readonly ids: ReadonlyArray<string>
}

export class SignInThrottle extends Context.Service<SignInThrottle, {
  /** Counts an attempt as failed before the password is checked; refuses it (retryAfter > 0, not counted) past a limit. */
  readonly attempt: (keys: SignInKeys) => Effect.Effect<SignInAttempt, DatabaseUnavailable>
  /** Seconds to wait before trying again, or 0 when an attempt may go ahead. */
  readonly retryAfter: (keys: SignInKeys) => Effect.Effect<number, DatabaseUnavailable>
  readonly failed: (keys: SignInKeys) => Effect.Effect<void, DatabaseUnavailable>
  /** A good password: the account's failures are cleared, and the attempt's own row for the address. */
  readonly succeeded: (keys: SignInKeys, attempt?: SignInAttempt) => Effect.Effect<void, DatabaseUnavailable>
}>()("loket/actors/SignInThrottle") {
  static readonly layer = Layer.effect(
    SignInThrottle,
    Effect.gen(function*() {
      const database = yield* Database
      const keysOf = (keys: SignInKeys) => [throttleKey("email", keys.email.trim().toLowerCase()), throttleKey("address", keys.address)] as const

      /** Seconds until fewer than `limit` failures of `key` are in the window (0: fewer already). */
      const waitFor = Effect.fn("SignInThrottle.waitFor")(function*(key: string, limit: number, now: number) {
        const rows = yield* database.all((db, t) => db.select({ failedAt: t.signInFailures.failedAt }).from(t.signInFailures)
          .where(and(eq(t.signInFailures.keyHash, key), gt(t.signInFailures.failedAt, iso(now - WINDOW_MS))))
          .orderBy(desc(t.signInFailures.failedAt)).limit(limit))
        if (rows.length < limit) return 0
        return Math.max(1, Math.ceil((Date.parse(rows[limit - 1]!.failedAt) + WINDOW_MS - now) / 1000))
      })

      const retryAfter = Effect.fn("SignInThrottle.retryAfter")(function*(keys: SignInKeys) {
        const now = yield* nowMillis
        const [account, address] = keysOf(keys)
        return Math.max(yield* waitFor(account, ACCOUNT_LIMIT, now), yield* waitFor(address, ADDRESS_LIMIT, now))
      })

      /** Records a failure of both keys now (and drops what has aged out); answers the rows' ids. */
      const record = Effect.fn("SignInThrottle.record")(function*(keys: SignInKeys, now: number) {
        const failedAt = iso(now)
        const rows = keysOf(keys).map((keyHash) => ({ id: newId("sif"), keyHash, failedAt }))
        yield* database.transaction(Effect.gen(function*() {
          yield* database.run((db, t) => db.delete(t.signInFailures).where(lte(t.signInFailures.failedAt, iso(now - WINDOW_MS))))
          yield* database.run((db, t) => db.insert(t.signInFailures).values(rows))
        }))
        yield* database.committed()
        return rows.map((r) => r.id)
      })

      const countOf = Effect.fn("SignInThrottle.countOf")(function*(key: string, now: number) {
        const row = yield* database.one((db, t) => db.select({ n: count() }).from(t.signInFailures)
          .where(and(eq(t.signInFailures.keyHash, key), gt(t.signInFailures.failedAt, iso(now - WINDOW_MS)))))
        return Number(row?.n ?? 0)
      })

      const remove = Effect.fn("SignInThrottle.remove")(function*(ids: ReadonlyArray<string>) {
        if (ids.length === 0) return
        yield* database.transaction(database.run((db, t) => db.delete(t.signInFailures).where(inArray(t.signInFailures.id, [...ids]))))
        yield* database.committed()
      })

      const attempt = Effect.fn("SignInThrottle.attempt")(function*(keys: SignInKeys) {
        const now = yield* nowMillis
        const ids = yield* record(keys, now)
        const [account, address] = keysOf(keys)
        if ((yield* countOf(account, now)) <= ACCOUNT_LIMIT && (yield* countOf(address, now)) <= ADDRESS_LIMIT) return { retryAfter: 0, ids } satisfies SignInAttempt
        yield* remove(ids)
        return { retryAfter: Math.max(1, yield* retryAfter(keys)), ids: [] } satisfies SignInAttempt
      })

      const failed = Effect.fn("SignInThrottle.failed")(function*(keys: SignInKeys) {
        yield* record(keys, yield* nowMillis)
      })

      const succeeded = Effect.fn("SignInThrottle.succeeded")(function*(keys: SignInKeys, done?: SignInAttempt) {
        const [account] = keysOf(keys)
        const own = [...(done?.ids ?? [])]
        yield* database.transaction(database.run((db, t) => db.delete(t.signInFailures)
          .where(own.length === 0 ? eq(t.signInFailures.keyHash, account) : or(eq(t.signInFailures.keyHash, account), inArray(t.signInFailures.id, own)))))
        yield* database.committed()
      })

      return SignInThrottle.of({ attempt, retryAfter, failed, succeeded })
    })
  )
}
