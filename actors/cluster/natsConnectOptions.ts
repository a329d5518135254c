/**
 * How the gateway connects to NATS: the credentials of its account (user and password, or a
 * .creds file) and TLS when certificates are given. Files are read here, at start; a file that
 * cannot be read stops the start with one line naming its variable.
 */
import { readFileSync } from "node:fs"
import { Effect, Redacted, Schema } from "effect"
import { type ConnectionOptions, credsAuthenticator, type TlsOptions } from "nats"
import type { LoketConfigValue } from "../../config/Config.ts"

export class NatsSettingInvalid extends Schema.TaggedError<NatsSettingInvalid>()("NatsSettingInvalid", {
  message: Schema.String
}) {}

const readSetting = (variable: string, path: string) =>
  Effect.try({
    try: () => readFileSync(path, "utf8"),
    catch: (cause) =>
      new NatsSettingInvalid({
        message: `${variable}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); point it at a readable file`
      })
  })

const pemCheck = (variable: string, text: string, what: string) =>
  text.includes("-----BEGIN ")
    ? Effect.succeed(text)
    : Effect.fail(new NatsSettingInvalid({ message: `${variable}: not a PEM file (expected ${what})` }))

/** The parts of nats' ConnectionOptions that prove who the gateway is and protect the link. */
export const natsConnectOptions = Effect.fn("Nats.connectOptions")(function*(auth: LoketConfigValue["natsAuth"]) {
  const options: Partial<ConnectionOptions> = {}
  if (auth.user !== undefined && auth.password !== undefined) {
    options.user = auth.user
    options.pass = Redacted.value(auth.password)
  }
  if (auth.credsFile !== undefined) {
    const creds = yield* readSetting("NATS_CREDS", auth.credsFile)
    if (!creds.includes("-----BEGIN NATS USER JWT-----") || !creds.includes("-----BEGIN USER NKEY SEED-----")) {
      return yield* new NatsSettingInvalid({ message: "NATS_CREDS: not a NATS credentials file (expected a user JWT and an NKey seed, as `nsc generate creds` writes)" })
    }
    options.authenticator = credsAuthenticator(new TextEncoder().encode(creds))
  }
  if (auth.tlsCa !== undefined || auth.tlsCert !== undefined) {
    const tls: TlsOptions = {}
    if (auth.tlsCa !== undefined) tls.ca = yield* pemCheck("NATS_TLS_CA", yield* readSetting("NATS_TLS_CA", auth.tlsCa), "a CERTIFICATE")
    if (auth.tlsCert !== undefined && auth.tlsKey !== undefined) {
      tls.cert = yield* pemCheck("NATS_TLS_CERT", yield* readSetting("NATS_TLS_CERT", auth.tlsCert), "a CERTIFICATE")
      tls.key = yield* pemCheck("NATS_TLS_KEY", yield* readSetting("NATS_TLS_KEY", auth.tlsKey), "a PRIVATE KEY")
    }
    options.tls = tls
  }
  return options
})
