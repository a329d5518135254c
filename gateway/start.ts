/**
 * Starting and stopping the gateway, shared by the Node and Bun entries: configuration
 * errors stop the start with one line; channel settings that are missing are reported once.
 */
import { Effect, type Layer } from "effect"
import type { Hono } from "hono"
import type { Database } from "../drizzle/Database.ts"
import { redactUrl } from "../drizzle/postgres.ts"
import { Channels } from "../actors/Channels.ts"
import { makeApp } from "./app.ts"
import { LoketConfig, type LoketConfigValue } from "../config/Config.ts"
import { appLayer, makeRuntime } from "./Runtime.ts"

export interface Server {
  /** Resolves once the server listens, with a function that closes it. */
  serve(app: Hono, options: { port: number; hostname: string }): Promise<() => Promise<void>>
  database?: (config: LoketConfigValue) => Layer.Layer<Database, unknown>
}

/** The one line per channel that misses settings, from the adapters themselves. */
export function channelNotices(channels: ReadonlyArray<{ readonly startNotice: string | null }>): Array<string> {
  return channels.flatMap((channel) => (channel.startNotice === null ? [] : [`Loket: ${channel.startNotice}`]))
}

export async function startGateway(server: Server) {
  const loaded = await Effect.runPromise(Effect.result(Effect.provide(Effect.gen(function*() {
    return yield* LoketConfig
  }), LoketConfig.fromEnv())))
  if (loaded._tag === "Failure") {
    console.error(loaded.failure.message)
    process.exit(1)
  }
  const config = loaded.success
  if (config.natsUrl !== undefined && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    console.error("NATS_URL is set (cluster mode), so DATABASE_URL must be postgres://…: the instances share one database. Set DATABASE_URL, or unset NATS_URL to run embedded.")
    process.exit(1)
  }
  const runtime = makeRuntime(appLayer(config, server.database?.(config)))
  let app: Hono
  try {
    app = await makeApp(runtime)
  } catch (error) {
    console.error(`Loket could not start: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
  for (const line of channelNotices(await runtime.runPromise(Channels.useSync((c) => c.all)))) console.log(line)
  let close: () => Promise<void>
  try {
    close = await server.serve(app, { port: config.port, hostname: config.host })
  } catch (error) {
    console.error(`Loket could not listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)} (set PORT or HOST)`)
    await runtime.dispose()
    process.exit(1)
  }
  console.log(`Loket listening on http://${config.host}:${config.port} (${config.natsUrl === undefined ? "embedded" : "cluster"} mode, ${redactUrl(config.databaseUrl)})`)

  const shutdown = async () => {
    await close()
    await runtime.dispose()
    process.exit(0)
  }
  process.once("SIGINT", shutdown)
  process.once("SIGTERM", shutdown)
}
