/**
 * Not part of `npm run bench`: what ApiTokens.verify (one request's token look-up: SHA-256, one
 * prepared statement on the unique token_hash index joined with the agent, and for an agent's
 * token one more for its teams) costs on SQLite (a file) and PostgreSQL (as the tests find it).
 * It decides that tokens are not cached (docs/people.md).
 *   npx tsx test/bench/token-lookup.ts
 */
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { ApiTokens } from "../../actors/people/ApiTokens.ts"
import { People } from "../../actors/people/People.ts"
import { TokenRevocations } from "../../actors/people/TokenRevocations.ts"
import { LoketConfig } from "../../config/Config.ts"
import { databaseLayer } from "../../gateway/Runtime.ts"
import { tempDir } from "../support/gateway.ts"
import { freshPostgresDatabase } from "../support/services.ts"

const N = 5000

async function measure(label: string, databaseUrl: string) {
  const config = await Effect.runPromise(Effect.provide(Effect.service(LoketConfig), LoketConfig.fromEnv({ DATABASE_URL: databaseUrl, LOKET_ADMIN_TOKEN: "bench-admin" })))
  const base = Layer.mergeAll(LoketConfig.layer(config), databaseLayer(config))
  const layer = Layer.mergeAll(ApiTokens.layer, People.layer).pipe(Layer.provide(TokenRevocations.layer), Layer.provide(base))
  await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const tokens = yield* ApiTokens
    const people = yield* People
    const team = yield* people.createTeam({ name: "Bench" })
    const agent = yield* people.createAgent({ email: "bench@gemeente.nl", name: "Bench", role: "agent", teams: [team.id] })
    const { token } = yield* tokens.create({ name: "bench", role: "agent", agentId: agent.id })
    for (const [what, secret] of [["own token", "bench-admin"], ["agent's token", token]] as const) {
      for (let i = 0; i < 500; i++) yield* tokens.verify(secret)
      const start = performance.now()
      for (let i = 0; i < N; i++) yield* tokens.verify(secret)
      console.log(`${label.padEnd(12)} ${what.padEnd(14)} ${(((performance.now() - start) * 1000) / N).toFixed(1)} µs/verify`)
    }
  })).pipe(Effect.provide(layer)))
}

await measure("SQLite", `file:${join(tempDir(), "loket.db")}`)
const pg = await freshPostgresDatabase()
await measure("PostgreSQL", pg.url)
await pg.drop()
process.exit(0)
