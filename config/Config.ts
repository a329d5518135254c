/**
 * The gateway's configuration, read from the environment (see ../shared/CONTRACT.md and README.md).
 * A bad value stops the start with one line naming the variable.
 */
import { Config as C, ConfigProvider, Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import { IANAZone } from "luxon"
import { channelSettingsConfig } from "../adapters/registry.ts"
import { WhatsAppConfig } from "../adapters/whatsapp-cloud/config.ts"
import { parseTrustedProxies, type TrustedProxy } from "./trustedProxies.ts"

const optionalString = (name: string) => C.option(C.NonEmptyString(name)).pipe(C.map(Option.getOrUndefined))
const optionalRedacted = (name: string) => C.option(C.Redacted(name)).pipe(C.map(Option.getOrUndefined))

/** `file:<path>`, `:memory:` or `postgres://…` */
const DatabaseUrl = C.schema(
  Schema.String.check(Schema.isPattern(/^(:memory:|file:.+|postgres(ql)?:\/\/.+)$/, {
    message: "expected file:<path>, :memory: or postgres://…"
  })),
  "DATABASE_URL"
).pipe(C.withDefault("file:./data/loket.db"))

export const LoketConfigSchema = C.all({
  port: C.Port("PORT").pipe(C.withDefault(8080)),
  host: C.String("HOST").pipe(C.withDefault("127.0.0.1")),
  databaseUrl: DatabaseUrl,
  /** Cluster mode when set: one NATS server URL or several, comma-separated (all of a NATS cluster's nodes). */
  natsUrl: C.option(C.schema(
    Schema.String.check(Schema.isPattern(/^\s*(nats|tls|ws|wss):\/\/[^\s,]+\s*(,\s*(nats|tls|ws|wss):\/\/[^\s,]+\s*)*$/, {
      message: "expected nats://host:port, or several separated by commas"
    })),
    "NATS_URL"
  )).pipe(C.map(Option.getOrUndefined)),
  /** How the gateway proves itself to NATS (user and password, or a .creds file) and TLS towards it. */
  natsAuth: C.all({
    user: optionalString("NATS_USER"),
    password: optionalRedacted("NATS_PASSWORD"),
    /** A NATS credentials file (JWT and NKey seed), instead of user and password. */
    credsFile: optionalString("NATS_CREDS"),
    /** PEM files: the CA that signed the NATS servers' certificates; this client's certificate and key (mutual TLS). */
    tlsCa: optionalString("NATS_TLS_CA"),
    tlsCert: optionalString("NATS_TLS_CERT"),
    tlsKey: optionalString("NATS_TLS_KEY")
  }),
  cluster: C.all({
    /** Prefix of the JetStream stream, KV buckets and subjects: several Loket clusters can share one NATS. */
    namespace: C.schema(Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_-]{1,32}$/, { message: "expected 1 to 32 letters, digits, _ or -" })), "LOKET_NATS_NAMESPACE")
      .pipe(C.withDefault("loket")),
    /** Partitions conversations are spread over; the same on every instance. */
    partitions: C.schema(Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 1024 })), "LOKET_PARTITIONS")
      .pipe(C.withDefault(32)),
    /** Copies JetStream keeps of the event stream and the lease buckets (3 on a three-node NATS cluster). */
    replicas: C.schema(Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 5 })), "LOKET_NATS_REPLICAS")
      .pipe(C.withDefault(1)),
    /** This instance's name in the cluster; defaults to the host name and 8 random hex digits. */
    instanceId: optionalString("LOKET_INSTANCE_ID"),
    /** Events that may wait in the stream for their owners; past that webhooks get 503 until they catch up. */
    maxBacklog: C.schema(Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1000, maximum: 100_000_000 })), "LOKET_STREAM_MAX_EVENTS")
      .pipe(C.withDefault(1_000_000)),
    /** Milliseconds a partition lease lives without renewal (failover takes about this long). */
    leaseMs: C.schema(Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1000, maximum: 60_000 })), "LOKET_LEASE_MS")
      .pipe(C.withDefault(5000))
  }),
  /** PostgreSQL connections each instance keeps open at most. */
  dbPoolSize: C.schema(Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 200 })), "LOKET_DB_POOL_SIZE")
    .pipe(C.withDefault(10)),
  adminToken: optionalRedacted("LOKET_ADMIN_TOKEN"),
  /** Office hours and follow-ups are computed in this IANA zone. */
  timezone: C.schema(
    Schema.String.check(Schema.makeFilter((zone: string) => IANAZone.isValidZone(zone) || "expected an IANA time zone such as Europe/Amsterdam")),
    "LOKET_TIMEZONE"
  ).pipe(C.withDefault("Europe/Amsterdam")),
  /** The settings document as a file (config as code), applied at start: `.json`, `.yaml` or `.yml`. */
  settingsFile: C.option(C.schema(
    Schema.String.check(Schema.isPattern(/\.(json|ya?ml)$/i, { message: "expected a path to a .json, .yaml or .yml file" })),
    "LOKET_CONFIG"
  )).pipe(C.map(Option.getOrUndefined)),
  whatsapp: WhatsAppConfig,
  /** Every registered channel's own settings (adapters/registry.ts), by channel name. */
  channels: channelSettingsConfig,
  /** The public base URL the providers call (`https://loket.gemeente.nl`): signatures over the full URL (Twilio) use it. */
  publicUrl: C.option(C.URL("LOKET_PUBLIC_URL")).pipe(C.map((o) => Option.isSome(o) ? o.value.href.replace(/\/+$/, "") : undefined)),
  media: C.all({
    /** Where downloaded media is cached; default: beside the SQLite file (or ./data). */
    cacheDir: optionalString("LOKET_MEDIA_DIR"),
    /** Upper bound of the on-disk media cache, in MiB. */
    cacheMaxMiB: C.Int("LOKET_MEDIA_CACHE_MIB").pipe(C.withDefault(512)),
    /** Extra hosts whose media download URLs may be fetched, comma-separated. */
    extraHosts: C.String("LOKET_MEDIA_HOSTS").pipe(
      C.withDefault(""),
      C.map((s) => s.split(",").map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0))
    )
  }),
  outbound: C.all({
    /** Messages per second one sending number may send (Meta: 80 by default, up to 1,000). */
    perSecond: C.schema(Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 1000 })), "WHATSAPP_MESSAGES_PER_SECOND")
      .pipe(C.withDefault(80)),
    /** Messages one resident may get in a burst before Meta's pair limit (1 per 6 s) paces them. */
    pairBurst: C.schema(Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 45 })), "WHATSAPP_PAIR_BURST")
      .pipe(C.withDefault(10)),
    /** After a crash mid-send: how long to wait for Meta's status webhook before sending again. */
    confirmSeconds: C.Int("LOKET_SEND_CONFIRM_SECONDS").pipe(C.withDefault(120)),
    /** Seconds between checks for closing 24-hour windows. */
    windowCheckSeconds: C.Int("LOKET_WINDOW_CHECK_SECONDS").pipe(C.withDefault(60))
  }),
  /** Events held in memory on their way to actors; more wait in the inbox and are read back in pages. */
  handoffCap: C.Int("LOKET_HANDOFF_CAP").pipe(C.withDefault(4096)),
  /** Seconds an idle conversation actor stays in memory. */
  actorIdleSeconds: C.Int("LOKET_ACTOR_IDLE_SECONDS").pipe(C.withDefault(30)),
  /** The municipality's OpenID Connect provider for the console's sign-in (all three set, or none). */
  oidc: C.all({
    issuer: C.option(C.URL("LOKET_OIDC_ISSUER")).pipe(C.map((o) => (Option.isSome(o) ? o.value.href : undefined))),
    clientId: optionalString("LOKET_OIDC_CLIENT_ID"),
    clientSecret: optionalRedacted("LOKET_OIDC_CLIENT_SECRET"),
    /** What the sign-in button calls it ("Inloggen met <name>"). */
    name: optionalString("LOKET_OIDC_NAME")
  }),
  /** Reverse proxies (addresses, CIDR ranges) whose X-Forwarded-For gives the console's client address; none by default. */
  trustedProxies: C.schema(
    Schema.String.check(Schema.makeFilter((text: string) => {
      const parsed = parseTrustedProxies(text)
      return typeof parsed === "string" ? parsed : undefined
    })),
    "LOKET_TRUSTED_PROXIES"
  ).pipe(C.withDefault(""), C.map((text) => parseTrustedProxies(text) as ReadonlyArray<TrustedProxy>)),
  /** SQLite `synchronous`: FULL survives power loss, NORMAL only process crashes. */
  sqliteSync: C.Literals(["FULL", "NORMAL"], "LOKET_SQLITE_SYNCHRONOUS").pipe(C.withDefault("FULL" as const)),
  /** Effect's minimum log level: what the gateway logs (no level logs residents' data in clear). */
  logLevel: C.Literals(["trace", "debug", "info", "warn", "error", "none"], "LOKET_LOG_LEVEL").pipe(C.withDefault("info" as const))
})

export type LoketConfigValue = C.Success<typeof LoketConfigSchema>

/** The WhatsApp app secret: WHATSAPP_APP_SECRET, falling back to META_APP_SECRET. */
export const whatsappAppSecret = (config: LoketConfigValue): string | undefined => {
  const secret = config.whatsapp.appSecret ?? config.whatsapp.metaAppSecret
  return secret === undefined ? undefined : Redacted.value(secret)
}

export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>()("ConfigInvalid", {
  message: Schema.String
}) {}

/** Turns Effect's config error into one line: `PORT: Expected a value between 1 and 65535`. */
export function oneLine(error: C.ConfigError): string {
  const text = String(error.message ?? error)
  const at = /at \["([^"]+)"/.exec(text)
  const what = text.split("\n")[0]!.replace(/^SchemaError\(/, "").trim()
  return at ? `${at[1]}: ${what}` : what
}

/** OpenID Connect needs its issuer, client id and secret together. */
export function oidcProblem(oidc: LoketConfigValue["oidc"]): string | undefined {
  const set = [oidc.issuer, oidc.clientId, oidc.clientSecret].filter((v) => v !== undefined).length
  if (set === 0 || set === 3) return undefined
  const missing = [oidc.issuer === undefined ? "LOKET_OIDC_ISSUER" : null, oidc.clientId === undefined ? "LOKET_OIDC_CLIENT_ID" : null, oidc.clientSecret === undefined ? "LOKET_OIDC_CLIENT_SECRET" : null].filter((v) => v !== null)
  return `${missing[0]}: set LOKET_OIDC_ISSUER, LOKET_OIDC_CLIENT_ID and LOKET_OIDC_CLIENT_SECRET together for the console's OpenID Connect sign-in (missing: ${missing.join(", ")})`
}

/** Settings that are each valid but do not go together: the variable to fix and why, or undefined. */
export function natsAuthProblem(auth: LoketConfigValue["natsAuth"]): string | undefined {
  if (auth.password !== undefined && auth.user === undefined) return "NATS_PASSWORD: set NATS_USER too (the user the password belongs to)"
  if (auth.user !== undefined && auth.password === undefined) return "NATS_USER: set NATS_PASSWORD too (or use NATS_CREDS instead)"
  if (auth.credsFile !== undefined && auth.user !== undefined) return "NATS_CREDS: set either NATS_CREDS or NATS_USER and NATS_PASSWORD, not both"
  if (auth.tlsCert !== undefined && auth.tlsKey === undefined) return "NATS_TLS_CERT: set NATS_TLS_KEY too (the certificate's private key)"
  if (auth.tlsKey !== undefined && auth.tlsCert === undefined) return "NATS_TLS_KEY: set NATS_TLS_CERT too (the key's certificate)"
  return undefined
}

export class LoketConfig extends Context.Service<LoketConfig, LoketConfigValue>()("loket/config/Config") {
  /** Reads the process environment (or the given one, for tests). */
  static readonly fromEnv = (env: Record<string, string | undefined> = process.env) =>
    Layer.effect(
      LoketConfig,
      LoketConfigSchema.parse(ConfigProvider.fromEnv({ env: env as Record<string, string> })).pipe(
        Effect.mapError((error) => new ConfigInvalid({ message: `Invalid configuration: ${oneLine(error)}` })),
        Effect.flatMap((config) => {
          const problem = natsAuthProblem(config.natsAuth) ?? oidcProblem(config.oidc)
          return problem === undefined ? Effect.succeed(config) : Effect.fail(new ConfigInvalid({ message: `Invalid configuration: ${problem}` }))
        })
      )
    )

  static readonly layer = (value: LoketConfigValue) => Layer.succeed(LoketConfig, value)
}
