/**
 * The gateway's NATS connection with credentials and TLS, against a throwaway nats-server that
 * wants both (an account with JetStream, mutual TLS with certificates made here by openssl):
 * the right settings connect; a wrong password, a missing or wrong CA, an unreadable file each
 * stop the start with one line naming the variable, never a secret.
 */
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { connect } from "nats"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { LoketConfig } from "../../config/Config.ts"
import { Nats } from "../../actors/cluster/Nats.ts"
import { makeCertificates, type TestCertificates } from "../support/certificates.ts"
import { APP_SECRET, ADMIN_TOKEN, startChildGateway, tempDir } from "../support/gateway.ts"
import { freePort, freshPostgresDatabase, type NatsServer, startNatsServer } from "../support/services.ts"

const PASSWORD = "tls-test-password-7f3a"
let certs: TestCertificates
let server: NatsServer
let certsDir: string | undefined

beforeAll(async () => {
  const dir = tempDir("loket-nats-tls-")
  certs = makeCertificates(dir)
  const port = await freePort()
  const conf = join(dir, "nats.conf")
  writeFileSync(conf, `
listen: 127.0.0.1:${port}
accounts {
  LOKET: { jetstream: enabled, users: [ { user: loket, password: $NATS_LOKET_PASSWORD } ] }
  SYS: { users: [ { user: sys, password: $NATS_SYS_PASSWORD } ] }
}
system_account: SYS
jetstream { store_dir: "${join(dir, "js")}" }
tls {
  cert_file: "${certs.serverCert}"
  key_file: "${certs.serverKey}"
  ca_file: "${certs.ca}"
  verify: true
  timeout: 5
}
`)
  certsDir = dir
  server = await startNatsServer({ configFile: conf, port, env: { NATS_LOKET_PASSWORD: PASSWORD, NATS_SYS_PASSWORD: "sys-secret" } })
}, 60_000)
afterAll(async () => {
  await server?.dispose()
  if (certsDir !== undefined) rmSync(certsDir, { recursive: true, force: true })
})

/** Builds the gateway's Nats layer from `env` and publishes through it; the failure message if it fails. */
const tryNats = (env: Record<string, string>) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const { nc } = yield* Nats
      yield* Effect.promise(() => nc.flush())
      return { ok: true as const, info: nc.info }
    }).pipe(
      Effect.scoped,
      Effect.provide(Nats.layer.pipe(Layer.provide(LoketConfig.fromEnv({ NATS_URL: server.url, LOKET_NATS_NAMESPACE: "tlstest", ...env })))),
      Effect.catch((error) => Effect.succeed({ ok: false as const, message: (error as { message: string }).message }))
    )
  )

const good = () => ({
  NATS_USER: "loket", NATS_PASSWORD: PASSWORD, NATS_TLS_CA: certs.ca, NATS_TLS_CERT: certs.clientCert, NATS_TLS_KEY: certs.clientKey
})

describe("the gateway's NATS connection, secured", { timeout: 60_000 }, () => {
  it("connects over TLS with its certificate and the LOKET account's credentials, and creates its stream there", async () => {
    const result = await tryNats(good())
    expect(result).toMatchObject({ ok: true })
    expect(result.ok && result.info?.tls_required).toBe(true)
  })

  it("a wrong password stops the start naming NATS_USER and NATS_PASSWORD, without the password", async () => {
    const result = await tryNats({ ...good(), NATS_PASSWORD: "wrong-password-1234" })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.message).toMatch(/refused the gateway's credentials.*NATS_USER and NATS_PASSWORD/)
      expect(result.message).not.toContain("wrong-password-1234")
      expect(result.message).not.toContain("\n")
    }
  })

  it("without the CA, or with another CA, the server's certificate is not trusted: the start stops naming NATS_TLS_CA", async () => {
    for (const ca of [undefined, certs.otherCa]) {
      const env: Record<string, string> = { ...good() }
      if (ca === undefined) delete env.NATS_TLS_CA
      else env.NATS_TLS_CA = ca
      const result = await tryNats(env)
      expect(result.ok, `CA ${ca ?? "(none)"}`).toBe(false)
      if (!result.ok) expect(result.message).toMatch(/TLS failed.*NATS_TLS_CA/)
    }
  })

  it("without a client certificate the server (verify: true) refuses the connection", async () => {
    const { NATS_TLS_CERT: _c, NATS_TLS_KEY: _k, ...withoutClientCert } = good()
    const result = await tryNats(withoutClientCert)
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/does not answer over TLS.*NATS_TLS_CERT and NATS_TLS_KEY/) })
  })

  it("an unreadable or non-PEM file stops the start with one line naming its variable", async () => {
    const missing = await tryNats({ ...good(), NATS_TLS_CA: "/nonexistent/ca.pem" })
    expect(missing).toEqual({ ok: false, message: expect.stringMatching(/^NATS_TLS_CA: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/) })
    const notPem = join(certs.dir, "server.ext")
    expect(await tryNats({ ...good(), NATS_TLS_KEY: notPem })).toEqual({ ok: false, message: expect.stringMatching(/^NATS_TLS_KEY: not a PEM file/) })
    expect(await tryNats({ NATS_CREDS: notPem })).toEqual({ ok: false, message: expect.stringMatching(/^NATS_CREDS: not a NATS credentials file/) })
  })

  it("a plain client without credentials is refused; one without TLS too", async () => {
    await expect(connect({ servers: server.url, reconnect: false, tls: { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey } })).rejects.toThrow(/authorization/i)
    await expect(connect({ servers: server.url, reconnect: false, user: "loket", pass: PASSWORD, tls: null } as never)).rejects.toThrow()
  })

  it("a gateway process with a bad NATS setting exits at start with one line naming the variable", async () => {
    const database = await freshPostgresDatabase()
    try {
      const started = await startChildGateway({
        DATABASE_URL: database.url, NATS_URL: server.url, LOKET_NATS_NAMESPACE: "tlstest2", WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN,
        ...good(), NATS_TLS_CA: "/nonexistent/ca.pem"
      }).then((g) => g.kill().then(() => "started"), (error: Error) => error.message)
      expect(started).toMatch(/exited with 1/)
      expect(started).toMatch(/NATS_TLS_CA: cannot read \/nonexistent\/ca\.pem/)
      expect(started).not.toContain(PASSWORD)
    } finally {
      await database.drop()
    }
  })
})
