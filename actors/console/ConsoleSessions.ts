/**
 * Sign-in sessions of the agent console. The browser's cookie carries a random secret; the
 * database keeps only its SHA-256 (`console_sessions.secret_hash`), so a copy of the database
 * signs nobody in.
 *
 * Lifetimes (docs/console.md): a session ends after IDLE_MS without a request, after
 * ABSOLUTE_MS whatever happens, at logout, and when its agent is deactivated (People marks the
 * agent's sessions ended in the deactivation's transaction and announces them, so open console
 * streams end on every instance). Every request looks its session up — one indexed read, joined
 * with its agent — so nothing is cached per instance and a change counts from the next request.
 * `last_seen_at` is written at most once a TOUCH_MS, not on every request.
 *
 * The CSRF token of a session is derived from its secret (a keyed hash), so it needs no column
 * and cannot be guessed without the cookie.
 */
import { createHash, createHmac, randomBytes } from "node:crypto"
import { and, eq, isNull, sql } from "drizzle-orm"
import { Context, Effect, Layer } from "effect"
import { newId } from "../../domain/ids.ts"
import { nowMillis } from "../../domain/time.ts"
import { Database, type DatabaseUnavailable } from "../../drizzle/Database.ts"
import type { Principal } from "../people/Principal.ts"
import { TokenRevocations } from "../people/TokenRevocations.ts"

/** Idle lifetime: 2 hours without a request. */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000
/** Absolute lifetime: 12 hours after sign-in (a working day with overtime), then sign in again. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000
const TOUCH_MS = 60 * 1000

export const hashSessionSecret = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex")
/** The CSRF token of the session whose cookie holds `secret`. */
export const csrfTokenOf = (secret: string) => createHmac("sha256", secret).update("loket-console-csrf").digest("base64url")

export interface ConsoleSession {
  /** The session's public id (`ses_…`): audit and stream ends name it, never the secret. */
  readonly id: string
  readonly principal: Principal
  readonly csrfToken: string
  readonly expiresAt: string
}

export class ConsoleSessions extends Context.Service<ConsoleSessions, {
  /** Signs `agentId` in: the cookie's secret (shown this once) and the session. */
  readonly start: (agentId: string) => Effect.Effect<{ readonly secret: string; readonly session: ConsoleSession }, DatabaseUnavailable>
  /** The live session a cookie's secret stands for, or undefined (unknown, ended, idle too long, expired, agent deactivated). */
  readonly verify: (secret: string) => Effect.Effect<ConsoleSession | undefined, DatabaseUnavailable>
  /** Logout: the session ends at once (its open streams too). */
  readonly end: (secret: string) => Effect.Effect<void, DatabaseUnavailable>
  /** Whether the session `id` is still live: open console streams re-check with it. */
  readonly isActive: (id: string) => Effect.Effect<boolean, DatabaseUnavailable>
}>()("loket/actors/ConsoleSessions") {
  static readonly layer = Layer.effect(
    ConsoleSessions,
    Effect.gen(function*() {
      const database = yield* Database
      const revocations = yield* TokenRevocations

      const bySecret = database.prepare.one((db, t) =>
        db.select({
          id: t.consoleSessions.id, agentId: t.consoleSessions.agentId, lastSeenAt: t.consoleSessions.lastSeenAt, expiresAt: t.consoleSessions.expiresAt,
          name: t.agents.name, role: t.agents.role, active: t.agents.active
        }).from(t.consoleSessions).innerJoin(t.agents, eq(t.agents.id, t.consoleSessions.agentId))
          .where(and(eq(t.consoleSessions.secretHash, sql.placeholder("hash")), isNull(t.consoleSessions.endedAt))))
      const byId = database.prepare.one((db, t) =>
        db.select({ lastSeenAt: t.consoleSessions.lastSeenAt, expiresAt: t.consoleSessions.expiresAt, active: t.agents.active })
          .from(t.consoleSessions).innerJoin(t.agents, eq(t.agents.id, t.consoleSessions.agentId))
          .where(and(eq(t.consoleSessions.id, sql.placeholder("id")), isNull(t.consoleSessions.endedAt))))
      const teamsOf = database.prepare.all((db, t) =>
        db.select({ teamId: t.teamMembers.teamId }).from(t.teamMembers).where(eq(t.teamMembers.agentId, sql.placeholder("agentId"))))

      const live = (row: { lastSeenAt: string; expiresAt: string; active: number }, now: number) =>
        row.active === 1 && Date.parse(row.expiresAt) > now && Date.parse(row.lastSeenAt) + SESSION_IDLE_MS > now

      const session = Effect.fn("ConsoleSessions.session")(function*(id: string, agentId: string, name: string, role: Principal["role"], expiresAt: string, secret: string) {
        const teams = (yield* teamsOf({ agentId })).map((m) => m.teamId).sort()
        const principal: Principal = { kind: "agent", id: agentId, name, role, teams, agentId, tokenId: id }
        return { id, principal, csrfToken: csrfTokenOf(secret), expiresAt } satisfies ConsoleSession
      })

      const start = Effect.fn("ConsoleSessions.start")(function*(agentId: string) {
        const now = yield* nowMillis
        const secret = randomBytes(32).toString("base64url")
        const row = {
          id: newId("ses"), secretHash: hashSessionSecret(secret), agentId, createdAt: new Date(now).toISOString(),
          lastSeenAt: new Date(now).toISOString(), expiresAt: new Date(now + SESSION_ABSOLUTE_MS).toISOString(), endedAt: null
        }
        yield* database.transaction(database.run((db, t) => db.insert(t.consoleSessions).values(row)))
        yield* database.committed()
        const agent = yield* database.one((db, t) => db.select({ name: t.agents.name, role: t.agents.role }).from(t.agents).where(eq(t.agents.id, agentId)))
        return { secret, session: yield* session(row.id, agentId, agent?.name ?? "", agent?.role ?? "agent", row.expiresAt, secret) }
      })

      const verify = Effect.fn("ConsoleSessions.verify")(function*(secret: string) {
        const row = yield* bySecret({ hash: hashSessionSecret(secret) })
        if (row === undefined) return undefined
        const now = yield* nowMillis
        if (!live(row, now)) return undefined
        if (Date.parse(row.lastSeenAt) + TOUCH_MS <= now) {
          const lastSeenAt = new Date(now).toISOString()
          yield* database.transaction(database.run((db, t) => db.update(t.consoleSessions).set({ lastSeenAt }).where(eq(t.consoleSessions.id, row.id))))
          yield* database.committed()
        }
        return yield* session(row.id, row.agentId, row.name, row.role, row.expiresAt, secret)
      })

      const end = Effect.fn("ConsoleSessions.end")(function*(secret: string) {
        const row = yield* database.one((db, t) => db.select({ id: t.consoleSessions.id }).from(t.consoleSessions)
          .where(and(eq(t.consoleSessions.secretHash, hashSessionSecret(secret)), isNull(t.consoleSessions.endedAt))))
        if (row === undefined) return
        const endedAt = new Date(yield* nowMillis).toISOString()
        yield* database.transaction(database.run((db, t) => db.update(t.consoleSessions).set({ endedAt }).where(eq(t.consoleSessions.id, row.id))))
        yield* database.committed()
        yield* revocations.announce([row.id])
      })

      const isActive = Effect.fn("ConsoleSessions.isActive")(function*(id: string) {
        const row = yield* byId({ id })
        return row !== undefined && live(row, yield* nowMillis)
      })

      return ConsoleSessions.of({ start, verify, end, isActive })
    })
  )
}
