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
import { makeLifecycle, SHUTDOWN_DEADLINE_MS } from "./lifecycle.ts"
import { appLayer, makeRuntime } from "./Runtime.ts"
import { readSettingsFile } from "../config/settingsFile.ts"
import { applySettingsFile } from "./settings-file.ts"

export interface Server {
  /**
   * Resolves once the server listens, with a function that closes it: stop accepting, let the
   * requests in flight finish, and cut what is still open after `withinMs`.
   */
  serve(app: Hono, options: { port: number; hostname: string }): Promise<(withinMs: number) => Promise<void>>
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
  // LOKET_CONFIG is checked before anything starts: one line per problem.
  const settingsFile = config.settingsFile === undefined ? undefined : readSettingsFile(config.settingsFile, config.timezone)
  if (settingsFile !== undefined && !settingsFile.ok) {
    for (const line of settingsFile.lines) console.error(line)
    process.exit(1)
  }

  const runtime = makeRuntime(appLayer(config, server.database?.(config)), config.logLevel)
  const lifecycle = makeLifecycle()
  let app: Hono
  try {
    app = await makeApp(runtime, lifecycle)
  } catch (error) {
    console.error(`Loket could not start: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
  if (settingsFile !== undefined && settingsFile.ok) {
    const applied = await applySettingsFile(runtime, settingsFile.document)
    if (!applied.ok) {
      for (const line of applied.lines) console.error(line)
      await runtime.dispose()
      process.exit(1)
    }
    console.log(`Loket: settings from LOKET_CONFIG ${config.settingsFile}: ${applied.changed ? "applied" : "unchanged"}.`)
  }
  for (const line of channelNotices(await runtime.runPromise(Channels.useSync((c) => c.all)))) console.log(line)
  let close: (withinMs: number) => Promise<void>
  try {
    close = await server.serve(app, { port: config.port, hostname: config.host })
  } catch (error) {
    console.error(`Loket could not listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)} (set PORT or HOST)`)
    await runtime.dispose()
    process.exit(1)
  }
  console.log(`Loket listening on http://${config.host}:${config.port} (${config.natsUrl === undefined ? "embedded" : "cluster"} mode, ${redactUrl(config.databaseUrl)})`)

  // SIGTERM/SIGINT: stop accepting, end every SSE stream, let what is in flight finish, exit 0 —
  // within SHUTDOWN_DEADLINE_MS even when something hangs (what was acknowledged is durable already).
  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    const started = Date.now()
    console.log(`Loket: ${signal} received, shutting down`)
    setTimeout(() => {
      console.error(`Loket: shutdown did not finish within ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting (acknowledged work is durable)`)
      process.exit(0)
    }, SHUTDOWN_DEADLINE_MS).unref()
    lifecycle.drain()
    await close(SHUTDOWN_DEADLINE_MS / 2)
    await runtime.dispose()
    console.log(`Loket stopped in ${Date.now() - started} ms`)
    process.exit(0)
  }
  process.once("SIGINT", () => void shutdown("SIGINT"))
  process.once("SIGTERM", () => void shutdown("SIGTERM"))
}
