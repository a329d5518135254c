/**
 * The NATS connection of a cluster-mode instance: reconnects for ever (a NATS restart is
 * survived), tells whether it is connected now (the webhook answers 503 while it is not),
 * and creates the event stream with the configured replicas.
 */
import { Context, Effect, Layer, Schema } from "effect"
import {
  connect, DiscardPolicy, type JetStreamClient, type JetStreamManager, type NatsConnection, nanos, RetentionPolicy, StorageType
} from "nats"
import { LoketConfig } from "../../config/Config.ts"
import { clusterNames } from "./names.ts"
import { natsConnectOptions } from "./natsConnectOptions.ts"

export class NatsUnavailable extends Schema.TaggedError<NatsUnavailable>()("NatsUnavailable", {
  message: Schema.String
}) {}

export interface NatsShape {
  readonly nc: NatsConnection
  readonly js: JetStreamClient
  readonly jsm: JetStreamManager
  /** False from a disconnect until the reconnect. */
  readonly connected: () => boolean
  readonly names: ReturnType<typeof clusterNames>
}

export class Nats extends Context.Service<Nats, NatsShape>()("loket/actors/cluster/Nats") {
  static readonly layer = Layer.effect(
    Nats,
    Effect.gen(function*() {
      const config = yield* LoketConfig
      const servers = (config.natsUrl ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0)
      const names = clusterNames(config.cluster.namespace)
      const secured = yield* natsConnectOptions(config.natsAuth).pipe(
        Effect.mapError((invalid) => new NatsUnavailable({ message: invalid.message }))
      )
      const nc = yield* Effect.acquireRelease(
        Effect.tryPromise({
          // noAsyncTraces: nats.js otherwise captures three stack traces for every request (each
          // JetStream publish of a webhook's event); Loket's errors name the operation themselves.
          try: () => connect({ ...secured, servers, name: `loket-${config.cluster.instanceId ?? "gateway"}`, maxReconnectAttempts: -1, reconnectTimeWait: 500, noAsyncTraces: true }),
          catch: (cause) => new NatsUnavailable({ message: connectFailure(servers, cause, secured.tls !== undefined) })
        }),
        (nc) => Effect.promise(() => nc.drain().catch(() => nc.close()))
      )
      let connected = true
      yield* Effect.forkScoped(Effect.promise(async () => {
        for await (const status of nc.status()) {
          if (status.type === "disconnect" || status.type === "staleConnection") connected = false
          else if (status.type === "reconnect") connected = true
        }
      }))
      const jsm = yield* Effect.tryPromise({
        try: () => nc.jetstreamManager(),
        catch: (cause) => new NatsUnavailable({ message: `NATS at ${servers.join(", ")} has no JetStream: ${String(cause)} (start nats-server with -js)` })
      })
      yield* Effect.tryPromise({
        try: () => ensureStream(jsm, names, config.cluster.replicas, config.cluster.maxBacklog),
        catch: (cause) => new NatsUnavailable({ message: `The event stream ${names.stream} could not be created: ${String(cause)}` })
      })
      return Nats.of({ nc, js: nc.jetstream(), jsm, connected: () => connected && !nc.isClosed(), names })
    })
  )
}

/** Why the first connection failed, naming the variables to check (never their values). */
function connectFailure(given: ReadonlyArray<string>, cause: unknown, tls: boolean): string {
  const text = String(cause)
  // A password written into NATS_URL (nats://user:password@host) stays out of the log.
  const servers = given.map((url) => url.replace(/\/\/[^@/]*@/, "//***@"))
  if (/authorization|authentication|AUTHORIZATION_VIOLATION/i.test(text)) {
    return `NATS at ${servers.join(", ")} refused the gateway's credentials: ${text} (check NATS_USER and NATS_PASSWORD, or NATS_CREDS)`
  }
  if (/tls|certificate|ssl|self.signed/i.test(text)) {
    return `NATS at ${servers.join(", ")}: TLS failed: ${text} (check NATS_TLS_CA, NATS_TLS_CERT, NATS_TLS_KEY and NATS_URL)`
  }
  // A server that wants a client certificate it does not get closes the handshake: it looks like no answer.
  if (tls) return `NATS at ${servers.join(", ")} does not answer over TLS: ${text} (check NATS_URL, and NATS_TLS_CERT and NATS_TLS_KEY if the server wants a client certificate)`
  return `NATS at ${servers.join(", ")} does not answer: ${text} (check NATS_URL)`
}

/**
 * The event stream: one subject per partition, a work queue (an event is removed once its
 * owner acknowledged it), file storage with `replicas` copies, duplicates absorbed by
 * Nats-Msg-Id for two minutes (the database absorbs Meta's later redeliveries). At most
 * `maxBacklog` events wait: past that a publish is refused, the webhook answered 503 and Meta
 * delivers again later — the backlog cannot grow without bound when the owners fall behind.
 */
async function ensureStream(jsm: JetStreamManager, names: ReturnType<typeof clusterNames>, replicas: number, maxBacklog: number) {
  const config = {
    name: names.stream,
    subjects: [`${names.events}.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: replicas,
    duplicate_window: nanos(120_000),
    max_msgs: maxBacklog,
    discard: DiscardPolicy.New
  }
  const existing = await jsm.streams.info(names.stream).catch(() => undefined)
  if (existing === undefined) {
    try {
      await jsm.streams.add(config)
      return
    } catch (error) {
      // Another instance created it at the same moment: go on with theirs.
      await jsm.streams.info(names.stream).catch(() => {
        throw error
      })
      return
    }
  }
  // An existing stream takes a changed backlog bound (a failure here stops the start, with its reason).
  if (existing.config.max_msgs !== maxBacklog || existing.config.discard !== DiscardPolicy.New) {
    await jsm.streams.update(names.stream, { ...existing.config, max_msgs: maxBacklog, discard: DiscardPolicy.New })
  }
}
