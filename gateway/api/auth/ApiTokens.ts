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
import { apiTokens } from "../../../drizzle/schema.ts"
import { LoketConfig } from "../../Config.ts"

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
  verify(token: string): Principal | undefined
}>()("loket/gateway/ApiTokens") {
  static readonly layer = Layer.effect(
    ApiTokens,
    Effect.gen(function*() {
      const { db } = yield* Database
      const config = yield* LoketConfig
      const now = new Date().toISOString()
      if (config.adminToken !== undefined) {
        const tokenHash = hashToken(Redacted.value(config.adminToken))
        // A changed LOKET_ADMIN_TOKEN replaces the old one.
        db.delete(apiTokens).where(and(eq(apiTokens.name, ENV_TOKEN_NAME), ne(apiTokens.tokenHash, tokenHash))).run()
        db.insert(apiTokens).values({ id: newId("tok"), tokenHash, role: "admin", name: ENV_TOKEN_NAME, createdAt: now })
          .onConflictDoNothing().run()
      } else if (db.select().from(apiTokens).where(eq(apiTokens.role, "admin")).limit(1).get() === undefined) {
        const token = `loket_${randomBytes(24).toString("base64url")}`
        db.insert(apiTokens).values({ id: newId("tok"), tokenHash: hashToken(token), role: "admin", name: "generated", createdAt: now }).run()
        yield* Console.log(`Loket: no LOKET_ADMIN_TOKEN set; generated an admin token (shown once, store it now): ${token}`)
      }

      const cache = new Map<string, Principal | null>()
      const verify = (token: string): Principal | undefined => {
        const tokenHash = hashToken(token)
        const cached = cache.get(tokenHash)
        if (cached !== undefined) return cached ?? undefined
        const row = db.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash)).get()
        const principal = row === undefined ? null : { tokenId: row.id, name: row.name, role: row.role }
        if (principal !== null) cache.set(tokenHash, principal)
        return principal ?? undefined
      }
      return ApiTokens.of({ verify })
    })
  )
}
