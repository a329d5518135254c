/**
 * Agents' console passwords, hashed with scrypt from node:crypto (memory-hard).
 *
 * Parameters: N = 2^15, r = 8, p = 1 (32 MiB of memory and about 50–100 ms of CPU per hash on
 * a server core; OWASP's minimum for scrypt is N = 2^17 with r = 8, p = 1 *or* an equivalent
 * trade-off — 2^15 keeps a sign-in under ~0.1 s on a small municipal VM), a 16-byte random salt,
 * a 32-byte key. The hash string is versioned: `scrypt$N$r$p$salt$hash` (salt and hash in
 * base64url), so stronger parameters later still verify older hashes. Verification compares in
 * constant time (`timingSafeEqual`).
 *
 * The console's sign-in uses `verifyPassword`; the People service uses `hashPassword`.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"
import { Effect } from "effect"

export const PASSWORD_MIN_LENGTH = 12
export const PASSWORD_MAX_LENGTH = 1024

const N = 2 ** 15
const R = 8
const P = 1
const KEY_LENGTH = 32
const SALT_LENGTH = 16

const derive = (password: string, salt: Buffer, n: number, r: number, p: number, keyLength: number) =>
  Effect.callback<Buffer>((resume) => {
    // maxmem: scrypt needs 128 * N * r bytes; leave room above that.
    scrypt(password.normalize("NFKC"), salt, keyLength, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (error, key) => {
      // The parameters are ours (or from a stored hash we wrote), so an error is a defect.
      if (error !== null) resume(Effect.die(error))
      else resume(Effect.succeed(key))
    })
  })

/** `scrypt$N$r$p$salt$hash` for `password`. */
export const hashPassword = Effect.fn("password.hash")(function*(password: string) {
  const salt = randomBytes(SALT_LENGTH)
  const key = yield* derive(password, salt, N, R, P, KEY_LENGTH)
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${key.toString("base64url")}`
})

/** Whether `password` matches `stored` (a string hashPassword made); false for anything malformed. */
export const verifyPassword = Effect.fn("password.verify")(function*(password: string, stored: string) {
  const parts = stored.split("$")
  if (parts.length !== 6 || parts[0] !== "scrypt") return false
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  // Refuse parameters no hash of ours has: a tampered row must not make us burn memory.
  if (![n, r, p].every(Number.isSafeInteger) || n < 2 || n > 2 ** 20 || (n & (n - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false
  const salt = Buffer.from(parts[4]!, "base64url")
  const expected = Buffer.from(parts[5]!, "base64url")
  if (salt.length === 0 || expected.length < 16) return false
  const key = yield* derive(password, salt, n, r, p, expected.length)
  return timingSafeEqual(key, expected)
})
