/**
 * The gateway's configuration, read from the environment (see ../shared/CONTRACT.md and README.md).
 * A bad value stops the start with one line naming the variable.
 */
import { Config as C, ConfigProvider, Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import { IANAZone } from "luxon"

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
  whatsapp: C.all({
    appSecret: optionalRedacted("WHATSAPP_APP_SECRET"),
    metaAppSecret: optionalRedacted("META_APP_SECRET"),
    verifyToken: optionalRedacted("WHATSAPP_VERIFY_TOKEN"),
    accessToken: optionalRedacted("WHATSAPP_ACCESS_TOKEN"),
    phoneNumberId: optionalString("WHATSAPP_PHONE_NUMBER_ID"),
    businessAccountId: optionalString("WHATSAPP_BUSINESS_ACCOUNT_ID"),
    /** Deadline for one Graph API call (sending, read receipts, templates). */
    sendTimeoutMs: C.Int("WHATSAPP_SEND_TIMEOUT_MS").pipe(C.withDefault(15_000)),
    graphApiUrl: C.URL("GRAPH_API_URL").pipe(
      C.withDefault(new URL("https://graph.facebook.com/v23.0")),
      C.map((u) => u.href.replace(/\/+$/, ""))
    )
  }),
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
  /** SQLite `synchronous`: FULL survives power loss, NORMAL only process crashes. */
  sqliteSync: C.Literals(["FULL", "NORMAL"], "LOKET_SQLITE_SYNCHRONOUS").pipe(C.withDefault("FULL" as const))
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
function oneLine(error: C.ConfigError): string {
  const text = String(error.message ?? error)
  const at = /at \["([^"]+)"/.exec(text)
  const what = text.split("\n")[0]!.replace(/^SchemaError\(/, "").trim()
  return at ? `${at[1]}: ${what}` : what
}

export class LoketConfig extends Context.Service<LoketConfig, LoketConfigValue>()("loket/config/Config") {
  /** Reads the process environment (or the given one, for tests). */
  static readonly fromEnv = (env: Record<string, string | undefined> = process.env) =>
    Layer.effect(
      LoketConfig,
      LoketConfigSchema.parse(ConfigProvider.fromEnv({ env: env as Record<string, string> })).pipe(
        Effect.mapError((error) => new ConfigInvalid({ message: `Invalid configuration: ${oneLine(error)}` }))
      )
    )

  static readonly layer = (value: LoketConfigValue) => Layer.succeed(LoketConfig, value)
}
