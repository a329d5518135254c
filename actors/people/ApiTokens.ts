/**
 * Bearer tokens of the agent API, stored as SHA-256 hashes (the secret is shown once, at
 * creation). LOKET_ADMIN_TOKEN is the admin token of the environment: setting or changing it
 * revokes the one of an earlier start and any generated one. When it is unset and no admin
 * token is active, one is generated at start and printed once.
 *
 * No cache: every request looks its token up with one prepared statement on the unique index
 * of `token_hash` (joined with its agent), plus one for an agent's teams. So a revocation, a
 * deactivated agent or a changed LOKET_ADMIN_TOKEN counts from the next request on, on every
 * instance, with nothing to invalidate (measured in docs/people.md: microseconds on SQLite, one
 * loopback round trip on PostgreSQL).
 */
import { createHash, randomBytes } from "node:crypto"
import { and, asc, eq, inArray, isNull, ne, sql } from "drizzle-orm"
import { Console, Context, Effect, Layer, Redacted } from "effect"
import { newId } from "../../domain/ids.ts"
import { nowIso } from "../../domain/time.ts"
import { Database, type DatabaseUnavailable } from "../../drizzle/Database.ts"
import { LoketConfig } from "../../config/Config.ts"
import { PeopleInvalid, PeopleNotFound } from "./errors.ts"
import { lesserRole, type Principal, type Role } from "./Principal.ts"
import { TokenRevocations } from "./TokenRevocations.ts"

export const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex")

const newSecret = () => `loket_${randomBytes(24).toString("base64url")}`

export type TokenOrigin = "env" | "generated" | "api"

/** A token as the list shows it: never its secret or hash. */
export interface TokenView {
  readonly id: string
  readonly name: string
  readonly role: Role
  readonly agentId: string | null
  readonly origin: TokenOrigin
  readonly createdAt: string
  readonly revokedAt: string | null
}

/** A token just created: `token` is the secret, shown this once. */
export interface CreatedToken extends TokenView {
  readonly token: string
}

export interface NewToken {
  readonly name: string
  readonly role: Role
  readonly agentId?: string | undefined
}

export class ApiTokens extends Context.Service<ApiTokens, {
  /** The principal a bearer token stands for, or undefined (unknown, revoked, or its agent deactivated). */
  verify(token: string): Effect.Effect<Principal | undefined, DatabaseUnavailable>
  create(input: NewToken): Effect.Effect<CreatedToken, PeopleInvalid | DatabaseUnavailable>
  list(): Effect.Effect<ReadonlyArray<TokenView>, DatabaseUnavailable>
  /** Revokes: refused from the next request on, on every instance. Revoking a revoked token is a no-op. */
  revoke(id: string): Effect.Effect<TokenView, PeopleNotFound | DatabaseUnavailable>
  /** Whether a token is still good (not revoked, its agent active): open streams re-check with it. */
  isActive(tokenId: string): Effect.Effect<boolean, DatabaseUnavailable>
}>()("loket/gateway/ApiTokens") {
  static readonly layer = Layer.effect(
    ApiTokens,
    Effect.gen(function*() {
      const database = yield* Database
      const config = yield* LoketConfig
      const revocations = yield* TokenRevocations
      yield* bootstrapAdminToken(database, config.adminToken)

      const byHash = database.prepare.one((db, t) =>
        db.select({
          id: t.apiTokens.id, name: t.apiTokens.name, role: t.apiTokens.role, agentId: t.apiTokens.agentId,
          agentName: t.agents.name, agentRole: t.agents.role, agentActive: t.agents.active
        }).from(t.apiTokens).leftJoin(t.agents, eq(t.agents.id, t.apiTokens.agentId))
          .where(and(eq(t.apiTokens.tokenHash, sql.placeholder("hash")), isNull(t.apiTokens.revokedAt))))
      const teamsOf = database.prepare.all((db, t) =>
        db.select({ teamId: t.teamMembers.teamId }).from(t.teamMembers).where(eq(t.teamMembers.agentId, sql.placeholder("agentId"))))

      const verify = Effect.fn("ApiTokens.verify")(function*(token: string) {
        const row = yield* byHash({ hash: hashToken(token) })
        if (row === undefined) return undefined
        if (row.agentId === null) {
          return { kind: "token", id: row.id, name: row.name, role: row.role, teams: [], agentId: null, tokenId: row.id } satisfies Principal
        }
        if (row.agentActive !== 1 || row.agentRole === null || row.agentName === null) return undefined
        const teams = (yield* teamsOf({ agentId: row.agentId })).map((m) => m.teamId).sort()
        return {
          kind: "agent", id: row.agentId, name: row.agentName, role: lesserRole(row.role, row.agentRole), teams, agentId: row.agentId, tokenId: row.id
        } satisfies Principal
      })

      const create = Effect.fn("ApiTokens.create")(function*(input: NewToken) {
        if (input.agentId !== undefined) {
          const agent = yield* database.one((db, t) => db.select().from(t.agents).where(eq(t.agents.id, input.agentId!)))
          if (agent === undefined || agent.active !== 1) {
            return yield* new PeopleInvalid({ message: "agentId names no active agent.", details: [{ path: "agentId", message: `no active agent ${input.agentId}; see GET /api/v1/agents` }] })
          }
          if (input.role === "admin" && agent.role !== "admin") {
            return yield* new PeopleInvalid({ message: "A token cannot have more rights than its agent.", details: [{ path: "role", message: "this agent has the agent role; ask for role \"agent\" or make the agent an admin first" }] })
          }
        }
        const token = newSecret()
        const row = { id: newId("tok"), tokenHash: hashToken(token), name: input.name, role: input.role, agentId: input.agentId ?? null, origin: "api" as const, createdAt: yield* nowIso }
        yield* database.transaction(database.run((db, t) => db.insert(t.apiTokens).values(row)))
        yield* database.committed()
        return { ...view({ ...row, revokedAt: null }), token }
      })

      const list = Effect.fn("ApiTokens.list")(function*() {
        const rows = yield* database.all((db, t) => db.select().from(t.apiTokens).orderBy(asc(t.apiTokens.createdAt), asc(t.apiTokens.id)))
        return rows.map(view)
      })

      const revoke = Effect.fn("ApiTokens.revoke")(function*(id: string) {
        const revokedAt = yield* nowIso
        yield* database.transaction(database.run((db, t) => db.update(t.apiTokens).set({ revokedAt }).where(and(eq(t.apiTokens.id, id), isNull(t.apiTokens.revokedAt)))))
        // Durable (and so seen by every instance's next look-up) before the caller gets its answer.
        yield* database.committed()
        const row = yield* database.one((db, t) => db.select().from(t.apiTokens).where(eq(t.apiTokens.id, id)))
        if (row === undefined) return yield* new PeopleNotFound({ what: "token", id })
        // Open SSE streams of this token end (on every instance in cluster mode).
        yield* revocations.announce([id])
        return view(row)
      })

      const activeById = database.prepare.one((db, t) =>
        db.select({ id: t.apiTokens.id, agentId: t.apiTokens.agentId, agentActive: t.agents.active }).from(t.apiTokens)
          .leftJoin(t.agents, eq(t.agents.id, t.apiTokens.agentId))
          .where(and(eq(t.apiTokens.id, sql.placeholder("id")), isNull(t.apiTokens.revokedAt))))
      const isActive = Effect.fn("ApiTokens.isActive")(function*(tokenId: string) {
        const row = yield* activeById({ id: tokenId })
        return row !== undefined && (row.agentId === null || row.agentActive === 1)
      })

      return ApiTokens.of({ verify, create, list, revoke, isActive })
    })
  )
}

function view(row: { id: string; name: string; role: Role; agentId: string | null; origin: TokenOrigin; createdAt: string; revokedAt: string | null }): TokenView {
  return { id: row.id, name: row.name, role: row.role, agentId: row.agentId, origin: row.origin, createdAt: row.createdAt, revokedAt: row.revokedAt }
}

/**
 * At start. LOKET_ADMIN_TOKEN set: it is the active env token (again, if it was revoked through
 * the API), and every other env or generated token is revoked. Unset: a token is generated
 * and printed when no admin token is active.
 */
const bootstrapAdminToken = Effect.fn("ApiTokens.bootstrap")(function*(database: Database["Service"], adminToken: Redacted.Redacted<string> | undefined) {
  const now = yield* nowIso
  if (adminToken !== undefined) {
    const tokenHash = hashToken(Redacted.value(adminToken))
    yield* database.transaction(Effect.gen(function*() {
      yield* database.run((db, t) => db.update(t.apiTokens).set({ revokedAt: now })
        .where(and(inArray(t.apiTokens.origin, ["env", "generated"]), ne(t.apiTokens.tokenHash, tokenHash), isNull(t.apiTokens.revokedAt))))
      yield* database.run((db, t) => db.insert(t.apiTokens)
        .values({ id: newId("tok"), tokenHash, role: "admin", name: "LOKET_ADMIN_TOKEN", origin: "env", agentId: null, createdAt: now })
        .onConflictDoUpdate({ target: t.apiTokens.tokenHash, set: { role: "admin", origin: "env", agentId: null, revokedAt: null } }))
    }))
    yield* database.committed()
    return
  }
  const active = yield* database.one((db, t) => db.select({ id: t.apiTokens.id }).from(t.apiTokens)
    .where(and(eq(t.apiTokens.role, "admin"), isNull(t.apiTokens.agentId), isNull(t.apiTokens.revokedAt))).limit(1))
  if (active !== undefined) return
  const token = newSecret()
  yield* database.transaction(database.run((db, t) =>
    db.insert(t.apiTokens).values({ id: newId("tok"), tokenHash: hashToken(token), role: "admin", name: "generated", origin: "generated", agentId: null, createdAt: now })))
  yield* database.committed()
  yield* Console.log(`Loket: no LOKET_ADMIN_TOKEN set; generated an admin token (shown once, store it now): ${token}`)
})
