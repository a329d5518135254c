/**
 * Bearer tokens of the agent API, stored as SHA-256 hashes. LOKET_ADMIN_TOKEN is the admin
 * token; when it is unset and no admin token exists yet, one is generated at first start and
 * printed once.
 */
import { createHash, randomBytes } from "node:crypto"
import { and, eq, ne } from "drizzle-orm"
import { Console, Context, Effect, Layer, Redacted } from "effect"
import { newId } from "../../../domain/ids.ts"
import { Database } from "../../../drizzle/Database.ts"
import { LoketConfig } from "../../../config/Config.ts"

export type Role = "admin" | "agent"

export interface Principal {
  readonly tokenId: string
  readonly name: string
  readonly role: Role
}

const ENV_TOKEN_NAME = "LOKET_ADMIN_TOKEN"

export const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex")

export class ApiTokens extends Context.Service<ApiTokens, {
  /** The principal a bearer token stands for, or undefined. */
  verify(token: string): Promise<Principal | undefined>
}>()("loket/gateway/ApiTokens") {
  static readonly layer = Layer.effect(
    ApiTokens,
    Effect.gen(function*() {
      const database = yield* Database
      const config = yield* LoketConfig
      const now = new Date().toISOString()
      if (config.adminToken !== undefined) {
        const tokenHash = hashToken(Redacted.value(config.adminToken))
        // A changed LOKET_ADMIN_TOKEN replaces the old one.
        yield* database.transaction(Effect.gen(function*() {
          yield* database.run((db, t) => db.delete(t.apiTokens).where(and(eq(t.apiTokens.name, ENV_TOKEN_NAME), ne(t.apiTokens.tokenHash, tokenHash))))
          yield* database.run((db, t) => db.insert(t.apiTokens).values({ id: newId("tok"), tokenHash, role: "admin", name: ENV_TOKEN_NAME, createdAt: now })
            .onConflictDoNothing())
        }))
        yield* database.committed()
      } else if ((yield* database.one((db, t) => db.select().from(t.apiTokens).where(eq(t.apiTokens.role, "admin")).limit(1))) === undefined) {
        const token = `loket_${randomBytes(24).toString("base64url")}`
        yield* database.transaction(database.run((db, t) =>
          db.insert(t.apiTokens).values({ id: newId("tok"), tokenHash: hashToken(token), role: "admin", name: "generated", createdAt: now })))
        yield* database.committed()
        yield* Console.log(`Loket: no LOKET_ADMIN_TOKEN set; generated an admin token (shown once, store it now): ${token}`)
      }

      const cache = new Map<string, Principal | null>()
      const verify = async (token: string): Promise<Principal | undefined> => {
        const tokenHash = hashToken(token)
        const cached = cache.get(tokenHash)
        if (cached !== undefined) return cached ?? undefined
        const row = await Effect.runPromise(database.one((db, t) => db.select().from(t.apiTokens).where(eq(t.apiTokens.tokenHash, tokenHash))))
        const principal = row === undefined ? null : { tokenId: row.id, name: row.name, role: row.role }
        if (principal !== null) cache.set(tokenHash, principal)
        return principal ?? undefined
      }
      return ApiTokens.of({ verify })
    })
  )
}
