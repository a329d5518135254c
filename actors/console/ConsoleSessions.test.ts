/**
 * Console sessions on a real SQLite file, time moved with TestClock: the idle and absolute
 * lifetimes, "last seen" keeping a working agent signed in, logout, and a deactivated agent.
 */
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { Database } from "../../drizzle/Database.ts"
import { sqliteNodeLayer } from "../../drizzle/sqlite.ts"
import { tempDir } from "../../test/support/gateway.ts"
import { People } from "../people/People.ts"
import { TokenRevocations } from "../people/TokenRevocations.ts"
import { ConsoleSessions, csrfTokenOf, hashSessionSecret } from "./ConsoleSessions.ts"
import { SignInThrottle, throttleKey } from "./SignInThrottle.ts"

const layer = () => {
  const database = sqliteNodeLayer(`file:${join(tempDir(), "loket.db")}`, { synchronous: "NORMAL" })
  const base = Layer.mergeAll(database, TokenRevocations.layer)
  return Layer.mergeAll(ConsoleSessions.layer, People.layer, SignInThrottle.layer).pipe(Layer.provideMerge(base))
}

const run = <A, E>(program: Effect.Effect<A, E, ConsoleSessions | People | Database | SignInThrottle>) =>
  Effect.runPromise(program.pipe(Effect.provide(layer()), Effect.provide(TestClock.layer()), Effect.scoped))

const newAgent = Effect.gen(function*() {
  const people = yield* People
  return yield* people.createAgent({ email: `a${Math.random()}@gemeente.example`, name: "Agent", role: "agent" })
})

describe("ConsoleSessions", () => {
  it("ends after 2 hours without a request, but a request every hour keeps it for 12 hours, not longer", async () => {
    await run(Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-12-02T08:00:00Z"))
      const sessions = yield* ConsoleSessions
      const agent = yield* newAgent
      const idle = yield* sessions.start(agent.id)
      const busy = yield* sessions.start(agent.id)
      expect(idle.session.csrfToken).toBe(csrfTokenOf(idle.secret))
      expect(idle.session.principal).toMatchObject({ kind: "agent", id: agent.id, role: "agent", tokenId: idle.session.id })

      for (let hour = 1; hour <= 11; hour++) {
        yield* TestClock.adjust("1 hour")
        expect(yield* sessions.verify(busy.secret), `hour ${hour}`).toBeDefined()
        if (hour === 1) expect(yield* sessions.verify(idle.secret)).toBeDefined()
        if (hour === 3) {
          // last seen at hour 1: 2 hours idle
          expect(yield* sessions.verify(idle.secret)).toBeUndefined()
          expect(yield* sessions.isActive(idle.session.id)).toBe(false)
        }
      }
      yield* TestClock.adjust("59 minutes")
      expect(yield* sessions.verify(busy.secret)).toBeDefined()
      yield* TestClock.adjust("1 minute") // 12 hours after sign-in
      expect(yield* sessions.verify(busy.secret)).toBeUndefined()
    }))
  })

  it("keeps only the secret's hash; logout and deactivation end sessions at once", async () => {
    await run(Effect.gen(function*() {
      const sessions = yield* ConsoleSessions
      const database = yield* Database
      const people = yield* People
      const agent = yield* newAgent
      const a = yield* sessions.start(agent.id)
      const b = yield* sessions.start(agent.id)
      const rows = yield* database.all((db, t) => db.select().from(t.consoleSessions))
      expect(rows.map((r) => r.secretHash).sort()).toEqual([hashSessionSecret(a.secret), hashSessionSecret(b.secret)].sort())
      expect(JSON.stringify(rows)).not.toContain(a.secret)

      yield* sessions.end(a.secret)
      expect(yield* sessions.verify(a.secret)).toBeUndefined()
      expect(yield* sessions.verify(b.secret)).toBeDefined()
      yield* people.deactivateAgent(agent.id)
      expect(yield* sessions.verify(b.secret)).toBeUndefined()
      expect((yield* database.all((db, t) => db.select().from(t.consoleSessions))).every((r) => r.endedAt !== null)).toBe(true)
    }))
  })
})

describe("SignInThrottle", () => {
  it("refuses the 6th try for an account within 15 minutes until the oldest failure ages out; a good password clears the account, not the address", async () => {
    await run(Effect.gen(function*() {
      const throttle = yield* SignInThrottle
      const keys = { email: "Sanne@Gemeente.example", address: "192.0.2.7" }
      for (let i = 0; i < 5; i++) {
        expect(yield* throttle.retryAfter(keys)).toBe(0)
        yield* throttle.failed(keys)
        yield* TestClock.adjust("1 minute")
      }
      // The address's count is 5 of 20; the account's (case-insensitive) 5 of 5
      expect(yield* throttle.retryAfter({ email: "sanne@gemeente.example", address: "198.51.100.1" })).toBe(10 * 60)
      expect(yield* throttle.retryAfter({ email: "other@gemeente.example", address: "192.0.2.7" })).toBe(0)
      yield* TestClock.adjust("10 minutes")
      expect(yield* throttle.retryAfter(keys)).toBe(0)

      // Four of the address's failures are still in the window (minutes 1–4): 16 more make 20
      for (let i = 0; i < 15; i++) yield* throttle.failed({ email: `x${i}@gemeente.example`, address: "192.0.2.7" })
      expect(yield* throttle.retryAfter({ email: "new@gemeente.example", address: "192.0.2.7" })).toBe(0)
      yield* throttle.failed({ email: "x15@gemeente.example", address: "192.0.2.7" })
      expect(yield* throttle.retryAfter({ email: "new@gemeente.example", address: "192.0.2.7" })).toBeGreaterThan(0)
      yield* throttle.succeeded(keys)
      expect(yield* throttle.retryAfter({ email: keys.email, address: "203.0.113.9" })).toBe(0)
    }))
  })

  it("stores failures as hashes only (no e-mail, no address in clear) and deletes those past the window as new ones come in", async () => {
    await run(Effect.gen(function*() {
      const throttle = yield* SignInThrottle
      const database = yield* Database
      yield* throttle.failed({ email: "sanne@gemeente.example", address: "192.0.2.7" })
      const rows = yield* database.all((db, t) => db.select().from(t.signInFailures))
      expect(rows).toHaveLength(2)
      expect(JSON.stringify(rows)).not.toMatch(/sanne|gemeente|192\.0\.2\.7/)
      expect(rows.map((r) => r.keyHash).sort()).toEqual([throttleKey("email", "sanne@gemeente.example"), throttleKey("address", "192.0.2.7")].sort())
      yield* TestClock.adjust("16 minutes")
      yield* throttle.failed({ email: "other@gemeente.example", address: "198.51.100.1" })
      expect((yield* database.all((db, t) => db.select().from(t.signInFailures))).map((r) => r.keyHash).sort())
        .toEqual([throttleKey("email", "other@gemeente.example"), throttleKey("address", "198.51.100.1")].sort())
    }))
  })

  it("attempt counts before the password is checked: the 6th is refused and not counted; a success clears the account and its own address row", async () => {
    await run(Effect.gen(function*() {
      const throttle = yield* SignInThrottle
      const database = yield* Database
      const keys = { email: "joost@gemeente.example", address: "192.0.2.50" }
      for (let i = 0; i < 5; i++) {
        expect((yield* throttle.attempt(keys)).retryAfter).toBe(0)
        yield* TestClock.adjust("1 minute")
      }
      const refused = yield* throttle.attempt(keys)
      expect(refused.retryAfter).toBe(10 * 60)
      expect(yield* database.all((db, t) => db.select().from(t.signInFailures))).toHaveLength(10)
      yield* TestClock.adjust("10 minutes")
      const good = yield* throttle.attempt(keys)
      expect(good.retryAfter).toBe(0)
      yield* throttle.succeeded(keys, good)
      // The account is clear; the address keeps the earlier failures (minutes 1–4), not the good attempt.
      const left = yield* database.all((db, t) => db.select().from(t.signInFailures))
      expect(left.map((r) => r.keyHash)).toEqual(Array(4).fill(throttleKey("address", "192.0.2.50")))
    }))
  })
})
