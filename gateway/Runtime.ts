/**
 * The application as one Layer, chosen per mode at start, and the ManagedRuntime the Hono
 * handlers run their effects in.
 */
import { Effect, Layer, type LogLevel, ManagedRuntime, References } from "effect"
import { nowMillis } from "../domain/time.ts"
import { WindowWatch } from "../actors/conversation/WindowWatch.ts"
import { Channels } from "../actors/Channels.ts"
import { TimerWatch } from "../actors/timers/TimerWatch.ts"
import { Conversations } from "../actors/Conversations.ts"
import { Events } from "../actors/Events.ts"
import { InProcessTransport } from "../actors/InProcessTransport.ts"
import { Leadership } from "../actors/Leadership.ts"
import { Outbox } from "../actors/outbox/Outbox.ts"
import { Retention } from "../actors/retention/Retention.ts"
import { OutboxSignal } from "../actors/outbox/OutboxSignal.ts"
import { Senders } from "../actors/outbox/Senders.ts"
import { Templates, type TemplateSourceRef } from "../actors/templates/Templates.ts"
import { ClusterConversations } from "../actors/cluster/ClusterConversations.ts"
import { ClusterEvents } from "../actors/cluster/ClusterEvents.ts"
import { ClusterLeadership } from "../actors/cluster/ClusterLeadership.ts"
import { ClusterOutboxSignal } from "../actors/cluster/ClusterOutboxSignal.ts"
import { ClusterSettingsBell } from "../actors/cluster/ClusterSettingsBell.ts"
import { ClusterPlacement } from "../actors/cluster/ClusterPlacement.ts"
import { Nats } from "../actors/cluster/Nats.ts"
import { NatsTransport } from "../actors/cluster/NatsTransport.ts"
import type { Transport } from "../actors/Transport.ts"
import { Audit } from "../actors/audit/Audit.ts"
import { CannedResponses } from "../actors/canned/CannedResponses.ts"
import { ContactLinks } from "../actors/contacts/ContactLinks.ts"
import { Settings } from "../actors/settings/Settings.ts"
import { SettingsBell } from "../actors/settings/SettingsBell.ts"
import type { Database } from "../drizzle/Database.ts"
import { postgresLayer } from "../drizzle/postgres.ts"
import { sqliteNodeLayer } from "../drizzle/sqlite.ts"
import { ApiTokens } from "../actors/people/ApiTokens.ts"
import { People } from "../actors/people/People.ts"
import { TokenRevocations } from "../actors/people/TokenRevocations.ts"
import { ConsoleSessions } from "../actors/console/ConsoleSessions.ts"
import { SignInThrottle } from "../actors/console/SignInThrottle.ts"
import { ClusterTokenRevocations } from "../actors/cluster/ClusterTokenRevocations.ts"
import { ResidentSafety } from "../actors/safety/ResidentSafety.ts"
import { channelLayers } from "./channels.ts"
import { type LoketConfigValue, LoketConfig } from "../config/Config.ts"

export type AppServices = LoketConfig | Database | Events | Conversations | Transport | ApiTokens | Templates | Outbox | Senders | Audit | Settings | People | TokenRevocations | Channels | CannedResponses | ResidentSafety | ContactLinks | ConsoleSessions | SignInThrottle

/** The database `DATABASE_URL` names: PostgreSQL for `postgres://…`, else SQLite through better-sqlite3. */
export const databaseLayer = (config: LoketConfigValue): Layer.Layer<Database, unknown> =>
  /^postgres(ql)?:\/\//.test(config.databaseUrl)
    ? postgresLayer(config.databaseUrl, { poolSize: config.dbPoolSize })
    : sqliteNodeLayer(config.databaseUrl, { synchronous: config.sqliteSync })

/**
 * Tokens, agents and teams, on the database (no token cache). Revocations are announced to open
 * SSE streams: in-process, or over NATS to every instance in cluster mode.
 */
const peopleLayer = <E, R>(revocations: Layer.Layer<TokenRevocations, E, R>) =>
  Layer.mergeAll(ApiTokens.layer, People.layer, ConsoleSessions.layer, SignInThrottle.layer).pipe(Layer.provideMerge(revocations))

type ChannelLayers = Layer.Layer<Channels | Senders | TemplateSourceRef>

/** Message retention as the settings say (`retention.messagesDays`; null keeps them), read at each pruning round. */
const messagesDays = () => Effect.flatMap(Effect.service(Settings), (settings) => settings.current).pipe(Effect.map((document) => document.retention.messagesDays))

/** The audit log and the settings (which need the templates, the database and a bell for the other instances). */
function settingsLayer<E, R>(bell: Layer.Layer<SettingsBell, E, R>) {
  const audit = Audit.layer
  return Settings.layer.pipe(Layer.provide(bell), Layer.provideMerge(audit))
}

/**
 * Embedded mode (`NATS_URL` unset): in-process transport over the database. Cluster mode:
 * see clusterLayer. `database` lets Bun bring bun:sqlite.
 */
export function appLayer(
  config: LoketConfigValue,
  database: Layer.Layer<Database, unknown> = databaseLayer(config),
  channels: ChannelLayers = channelLayers(config)
): Layer.Layer<AppServices, unknown> {
  if (config.natsUrl !== undefined) return clusterLayer(config, database, channels)
  const base = Layer.mergeAll(LoketConfig.layer(config), database, Events.layer, OutboxSignal.layer, Leadership.always, channels)
  const templates = Templates.layer.pipe(Layer.provideMerge(base))
  const settings = ResidentSafety.fromSettings.pipe(Layer.provideMerge(settingsLayer(SettingsBell.local).pipe(Layer.provideMerge(templates))))
  const conversations = Conversations.layer.pipe(Layer.provideMerge(settings))
  const running = Layer.mergeAll(InProcessTransport, Outbox.layer, WindowWatch, Retention.layer(messagesDays), CannedResponses.layer, ContactLinks.layer, TimerWatch).pipe(Layer.provideMerge(conversations))
  return Layer.mergeAll(running, peopleLayer(TokenRevocations.layer).pipe(Layer.provide(base)))
}

/**
 * Cluster mode: events through JetStream, conversations placed on instances by partition
 * leases, commands routed to owners, SSE fed by every instance, leader-only dispatch. The
 * actors, policies and adapters are the same Layers as in embedded mode.
 */
function clusterLayer(config: LoketConfigValue, database: Layer.Layer<Database, unknown>, channels: ChannelLayers): Layer.Layer<AppServices, unknown> {
  const base = Layer.mergeAll(LoketConfig.layer(config), database, channels)
  const nats = Nats.layer.pipe(Layer.provideMerge(base))
  const placement = ClusterPlacement.pipe(Layer.provideMerge(nats))
  const shared = Layer.mergeAll(ClusterEvents, ClusterOutboxSignal, ClusterLeadership).pipe(Layer.provideMerge(placement))
  const templates = Templates.layer.pipe(Layer.provideMerge(shared))
  const settings = ResidentSafety.fromSettings.pipe(Layer.provideMerge(settingsLayer(ClusterSettingsBell).pipe(Layer.provideMerge(templates))))
  const conversations = ClusterConversations.pipe(Layer.provide(Conversations.layer), Layer.provideMerge(settings))
  const running = Layer.mergeAll(NatsTransport, Outbox.layer, WindowWatch, Retention.layer(messagesDays), CannedResponses.layer, ContactLinks.layer, TimerWatch).pipe(Layer.provideMerge(conversations))
  return Layer.mergeAll(running, peopleLayer(ClusterTokenRevocations).pipe(Layer.provide(nats)))
}

export type AppRuntime = ManagedRuntime.ManagedRuntime<AppServices, unknown>

/** Milliseconds since the epoch by the app's Clock (a TestClock in tests), for routes outside Effect. */
export const clockMillis = (runtime: AppRuntime) => (): Promise<number> => runtime.runPromise(nowMillis)

export const makeRuntime = (layer: Layer.Layer<AppServices, unknown>, logLevel: LoketConfigValue["logLevel"] = "info"): AppRuntime =>
  // Provided to the layer too, so fibers its construction forks (actors, dispatcher) log at the level.
  ManagedRuntime.make(layer.pipe(Layer.provideMerge(Layer.succeed(References.MinimumLogLevel, effectLogLevel(logLevel)))))

/** LOKET_LOG_LEVEL → Effect's log level. */
export const effectLogLevel = (level: LoketConfigValue["logLevel"]): LogLevel.LogLevel =>
  ({ trace: "Trace", debug: "Debug", info: "Info", warn: "Warn", error: "Error", none: "None" } as const)[level]
