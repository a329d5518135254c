/**
 * Throttles console sign-in: after ACCOUNT_LIMIT wrong passwords for one e-mail address, or
 * ADDRESS_LIMIT from one client address, within WINDOW_MS, further attempts are refused until
 * the oldest failure in the window has aged out (the answer says when: Retry-After). A good
 * password clears the account's count (not the address's).
 *
 * Counts live in this process's memory (bounded: MAX_KEYS keys, oldest dropped first), read
 * by Effect's Clock. In cluster mode each instance counts on its own: an attacker spread over
 * N instances gets N times the attempts, still a handful per quarter hour (docs/console.md).
 * Keys are hashed, so no e-mail or address sits in memory in clear.
 */
import { createHash } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { nowMillis } from "../../domain/time.ts"

export const WINDOW_MS = 15 * 60 * 1000
export const ACCOUNT_LIMIT = 5
export const ADDRESS_LIMIT = 20
const MAX_KEYS = 50_000

const key = (kind: string, value: string) => createHash("sha256").update(`${kind}:${value}`).digest("base64url")

export interface SignInKeys {
  readonly email: string
  readonly address: string
}

export class SignInThrottle extends Context.Service<SignInThrottle, {
  /** Seconds to wait before trying again, or 0 when an attempt may go ahead. */
  readonly retryAfter: (keys: SignInKeys) => Effect.Effect<number>
  readonly failed: (keys: SignInKeys) => Effect.Effect<void>
  readonly succeeded: (keys: SignInKeys) => Effect.Effect<void>
}>()("loket/actors/SignInThrottle") {
  static readonly layer = Layer.sync(SignInThrottle, () => {
    const failures = new Map<string, Array<number>>()
    const recent = (k: string, now: number) => {
      const list = (failures.get(k) ?? []).filter((at) => at > now - WINDOW_MS)
      if (list.length === 0) failures.delete(k)
      else failures.set(k, list)
      return list
    }
    const waitFor = (k: string, limit: number, now: number) => {
      const list = recent(k, now)
      return list.length < limit ? 0 : Math.max(1, Math.ceil((list[list.length - limit]! + WINDOW_MS - now) / 1000))
    }
    const keysOf = (keys: SignInKeys) => [key("email", keys.email.trim().toLowerCase()), key("address", keys.address)] as const
    return SignInThrottle.of({
      retryAfter: (keys) => Effect.map(nowMillis, (now) => {
        const [account, address] = keysOf(keys)
        return Math.max(waitFor(account, ACCOUNT_LIMIT, now), waitFor(address, ADDRESS_LIMIT, now))
      }),
      failed: (keys) => Effect.map(nowMillis, (now) => {
        for (const k of keysOf(keys)) {
          const list = recent(k, now)
          failures.delete(k) // re-inserted last: the Map's order is oldest activity first
          failures.set(k, [...list, now].slice(-ADDRESS_LIMIT))
        }
        while (failures.size > MAX_KEYS) failures.delete(failures.keys().next().value!)
      }),
      succeeded: (keys) => Effect.sync(() => void failures.delete(keysOf(keys)[0]))
    })
  })
}
