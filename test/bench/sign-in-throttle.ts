/**
 * Not part of `npm run bench`: what the sign-in throttle (actors/console/SignInThrottle.ts) adds
 * to one console sign-in, now that its counts are rows of the database (shared by the instances of
 * a cluster): `attempt` (prune, insert two rows, commit, two indexed counts) plus `succeeded` (two
 * deletes), on SQLite (a file) and PostgreSQL (as the tests find it), as CPU time of this process
 * and wall time per sign-in, beside the scrypt check every sign-in does anyway (same run).
 *   npx tsx test/bench/sign-in-throttle.ts
 */
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { SignInThrottle } from "../../actors/console/SignInThrottle.ts"
import { hashPassword, verifyPassword } from "../../actors/people/password.ts"
import { LoketConfig } from "../../config/Config.ts"
import { databaseLayer } from "../../gateway/Runtime.ts"
import { tempDir } from "../support/gateway.ts"
import { freshPostgresDatabase } from "../support/services.ts"

const N = 2000

const cpuMs = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from)
  return (used.user + used.system) / 1000
}

async function measure(label: string, databaseUrl: string) {
  const config = await Effect.runPromise(Effect.provide(Effect.service(LoketConfig), LoketConfig.fromEnv({ DATABASE_URL: databaseUrl, LOKET_ADMIN_TOKEN: "bench-admin" })))
  const layer = SignInThrottle.layer.pipe(Layer.provide(Layer.mergeAll(LoketConfig.layer(config), databaseLayer(config))))
  await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const throttle = yield* SignInThrottle
    // Many accounts from many addresses, each signing in well: the table stays small, as in use.
    const run = (n: number, offset: number) => Effect.gen(function*() {
      for (let i = 0; i < n; i++) {
        const keys = { email: `agent${(offset + i) % 500}@gemeente.nl`, address: `198.51.100.${(offset + i) % 250}` }
        const attempt = yield* throttle.attempt(keys)
        yield* throttle.succeeded(keys, attempt)
      }
    })
    yield* run(200, 0)
    const cpu = process.cpuUsage()
    const start = performance.now()
    yield* run(N, 200)
    const wall = performance.now() - start
    console.log(`${label.padEnd(11)} throttle per sign-in: ${((cpuMs(cpu) * 1000) / N).toFixed(0)} µs CPU, ${((wall * 1000) / N).toFixed(0)} µs wall`)
  })).pipe(Effect.provide(layer)))
}

const stored = await Effect.runPromise(hashPassword("correct horse battery staple"))
const rounds = 20
const cpu = process.cpuUsage()
const start = performance.now()
for (let i = 0; i < rounds; i++) await Effect.runPromise(verifyPassword("correct horse battery staple", stored))
console.log(`scrypt check per sign-in: ${((cpuMs(cpu) * 1000) / rounds).toFixed(0)} µs CPU (all threads), ${(((performance.now() - start) * 1000) / rounds).toFixed(0)} µs wall`)

await measure("SQLite", `file:${join(tempDir(), "loket.db")}`)
const pg = await freshPostgresDatabase()
try {
  await measure("PostgreSQL", pg.url)
} finally {
  await pg.drop()
}
