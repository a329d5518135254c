/**
 * The application as one Layer, chosen per mode at start, and the ManagedRuntime the Hono
 * handlers run their effects in.
 */
import { Layer, ManagedRuntime } from "effect"
import { Conversations } from "../actors/Conversations.ts"
import { Events } from "../actors/Events.ts"
import { InProcessTransport } from "../actors/InProcessTransport.ts"
import type { Transport } from "../actors/Transport.ts"
import { Database, sqliteNodeLayer } from "../drizzle/Database.ts"
import { ApiTokens } from "./api/auth/ApiTokens.ts"
import { type LoketConfigValue, LoketConfig } from "./Config.ts"

export type AppServices = LoketConfig | Database | Events | Conversations | Transport | ApiTokens

/** Embedded mode: SQLite + in-process transport. `database` lets Bun bring bun:sqlite. */
export function appLayer(
  config: LoketConfigValue,
  database: Layer.Layer<Database, unknown> = sqliteNodeLayer(config.databaseUrl, { synchronous: config.sqliteSync })
): Layer.Layer<AppServices, unknown> {
  const base = Layer.mergeAll(LoketConfig.layer(config), database, Events.layer)
  const conversations = Conversations.layer.pipe(Layer.provideMerge(base))
  const transport = InProcessTransport.pipe(Layer.provideMerge(conversations))
  return Layer.mergeAll(transport, ApiTokens.layer.pipe(Layer.provide(base)))
}

export type AppRuntime = ManagedRuntime.ManagedRuntime<AppServices, unknown>

export const makeRuntime = (layer: Layer.Layer<AppServices, unknown>): AppRuntime => ManagedRuntime.make(layer)
