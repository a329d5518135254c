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
 * The check and the count are two steps: attempts that run at the very same moment on several
 * instances may each pass the check before the others are counted — at most one extra attempt
 * per attempt in flight, never more over time.
 */
import { createHash } from "node:crypto"
import { and, desc, eq, gt, lte } from "drizzle-orm"
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

export class SignInThrottle extends Context.Service<SignInThrottle, {
  /** Seconds to wait before trying again, or 0 when an attempt may go ahead. */
  readonly retryAfter: (keys: SignInKeys) => Effect.Effect<number, DatabaseUnavailable>
  readonly failed: (keys: SignInKeys) => Effect.Effect<void, DatabaseUnavailable>
  readonly succeeded: (keys: SignInKeys) => Effect.Effect<void, DatabaseUnavailable>
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

      const failed = Effect.fn("SignInThrottle.failed")(function*(keys: SignInKeys) {
        const now = yield* nowMillis
        const failedAt = iso(now)
        yield* database.transaction(Effect.gen(function*() {
          yield* database.run((db, t) => db.delete(t.signInFailures).where(lte(t.signInFailures.failedAt, iso(now - WINDOW_MS))))
          yield* database.run((db, t) => db.insert(t.signInFailures).values(keysOf(keys).map((keyHash) => ({ id: newId("sif"), keyHash, failedAt }))))
        }))
        yield* database.committed()
      })

      const succeeded = Effect.fn("SignInThrottle.succeeded")(function*(keys: SignInKeys) {
        const [account] = keysOf(keys)
        yield* database.transaction(database.run((db, t) => db.delete(t.signInFailures).where(eq(t.signInFailures.keyHash, account))))
        yield* database.committed()
      })

      return SignInThrottle.of({ retryAfter, failed, succeeded })
    })
  )
}
