import { existsSync } from "node:fs"
import { connect, StringCodec } from "nats"
import pg from "pg"
import { afterEach, describe, expect, it } from "vitest"
import {
  freePort,
  freshPostgresDatabase,
  type NatsServer,
  natsNamespace,
  natsUrl,
  planService,
  postgresUrl,
  purgeNatsNamespace,
  startNatsServer,
  startPostgresCluster
} from "./services.ts"

const sc = StringCodec()

describe("the global setup's decision", () => {
  const nats = (given: string | undefined, listening: boolean, binary: string | undefined) =>
    planService("nats", { given, listening, binaries: { "nats-server": binary } })

  it("uses a given URL first, then the shared server, then a throwaway one", () => {
    expect(nats("nats://elsewhere:4222", true, "/usr/sbin/nats-server")).toEqual({ kind: "given", url: "nats://elsewhere:4222" })
    expect(nats("nats://elsewhere:4222", false, undefined)).toEqual({ kind: "given", url: "nats://elsewhere:4222" })
    expect(nats(undefined, true, undefined)).toEqual({ kind: "shared", url: "nats://127.0.0.1:4222" })
    expect(nats(undefined, false, "/usr/sbin/nats-server")).toEqual({ kind: "throwaway" })
    expect(planService("postgres", { given: undefined, listening: true, binaries: {} }))
      .toEqual({ kind: "shared", url: "postgres://postgres@127.0.0.1:5432/test" })
  })

  it("fails with one line naming what to install when a binary is missing", () => {
    expect(nats(undefined, false, undefined)).toEqual({
      kind: "missing",
      message: "nats-server not found on PATH: install it (Debian: apt-get install nats-server) or set LOKET_TEST_NATS_URL"
    })
    const postgres = (initdb: string | undefined, pgCtl: string | undefined) =>
      planService("postgres", { given: undefined, listening: false, binaries: { initdb, pg_ctl: pgCtl } })
    expect(postgres(undefined, undefined)).toEqual({
      kind: "missing",
      message:
        "initdb and pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin: install them (Debian: apt-get install postgresql) or set LOKET_TEST_DATABASE_URL"
    })
    const one = postgres("/usr/bin/initdb", undefined)
    expect(one.kind === "missing" && one.message).toMatch(/^pg_ctl not found .*apt-get install postgresql.*LOKET_TEST_DATABASE_URL$/)
  })

  it("throws that line (no stack) when starting a throwaway server without the binary", async () => {
    const path = process.env.PATH
    process.env.PATH = "/nonexistent"
    try {
      const error = await startNatsServer().then(() => undefined, (e: Error) => e)
      expect(error?.stack).toBe("nats-server not found on PATH: install it (Debian: apt-get install nats-server) or set LOKET_TEST_NATS_URL")
    } finally {
      process.env.PATH = path
    }
  })

  it("handed the URLs to this worker through env", () => {
    expect(process.env.LOKET_TEST_NATS_URL).toBe(natsUrl())
    expect(process.env.LOKET_TEST_DATABASE_URL).toBe(postgresUrl())
  })
})

describe("a throwaway NATS server", () => {
  const servers: NatsServer[] = []
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.dispose()
  })

  it("keeps a stream's messages over a stop and a restart on the same port", async () => {
    const server = await startNatsServer()
    servers.push(server)
    expect(server.port).not.toBe(4222)
    let nc = await connect({ servers: server.url })
    await (await nc.jetstreamManager()).streams.add({ name: "restart", subjects: ["restart.>"] })
    const ack = await nc.jetstream().publish("restart.one", sc.encode("kept"))
    await nc.close()

    await server.stop()
    expect(await connect({ servers: server.url, reconnect: false, timeout: 500 }).then(() => "connected", () => "refused")).toBe("refused")
    await server.start()

    nc = await connect({ servers: server.url })
    const message = await (await nc.jetstreamManager()).streams.getMessage("restart", { seq: ack.seq })
    expect(sc.decode(message.data)).toBe("kept")
    await nc.close()
  })

  it("joins a cluster of three that takes a replicated stream", async () => {
    const ports = [await freePort(), await freePort(), await freePort()]
    const routes = ports.map((p) => `nats://127.0.0.1:${p}`)
    for (const port of ports) {
      servers.push(await startNatsServer({ cluster: { name: "loket-test", port, routes: routes.filter((r) => !r.endsWith(`:${port}`)) } }))
    }
    const nc = await connect({ servers: servers[0]!.url })
    // The meta leader is elected a moment after the servers listen; early requests may go unanswered.
    const deadline = Date.now() + 20_000
    for (;;) {
      try {
        const jsm = await nc.jetstreamManager({ timeout: 1_000 })
        await jsm.streams.add({ name: "replicated", subjects: ["replicated.>"], num_replicas: 3 })
        break
      } catch (error) {
        if (Date.now() > deadline) throw error
        await new Promise((r) => setTimeout(r, 200))
      }
    }
    const ack = await nc.jetstream().publish("replicated.one", sc.encode("x"))
    expect(ack.seq).toBe(1)
    expect((await (await nc.jetstreamManager()).streams.info("replicated")).cluster?.replicas).toHaveLength(2)
    await nc.close()
  })
})

describe("isolation helpers", () => {
  it("freshPostgresDatabase gives a database of its own, gone after drop()", async () => {
    const db = await freshPostgresDatabase()
    const name = new URL(db.url).pathname.slice(1)
    expect(name).toMatch(/^loket_t_[0-9a-f]+$/)
    const client = new pg.Client({ connectionString: db.url })
    client.on("error", () => undefined) // drop() terminates this connection
    await client.connect()
    await client.query("create table t (id int primary key)")
    await client.query("insert into t values (1)")
    expect((await client.query("select count(*)::int as n from t")).rows[0].n).toBe(1)
    await db.drop() // while the client is still connected: WITH (FORCE)
    await client.end().catch(() => undefined)

    const admin = new pg.Client({ connectionString: postgresUrl() })
    await admin.connect()
    expect((await admin.query("select 1 from pg_database where datname = $1", [name])).rowCount).toBe(0)
    await admin.end()
  })

  it("purgeNatsNamespace deletes that namespace's streams and KV buckets only", async () => {
    const [ns, other] = [natsNamespace(), natsNamespace()]
    expect(ns).toMatch(/^t[0-9a-f]{8}$/)
    const nc = await connect({ servers: natsUrl() })
    const jsm = await nc.jetstreamManager()
    await jsm.streams.add({ name: `${ns}_events`, subjects: [`${ns}.events.>`] })
    await nc.jetstream().views.kv(`${ns}_state`)
    await jsm.streams.add({ name: `${other}_events`, subjects: [`${other}.events.>`] })

    expect((await purgeNatsNamespace(natsUrl(), ns)).sort()).toEqual([`KV_${ns}_state`, `${ns}_events`])
    const left: string[] = []
    for await (const name of jsm.streams.names()) left.push(name)
    expect(left.filter((n) => n.includes(ns))).toEqual([])
    expect(left).toContain(`${other}_events`)
    await nc.close()
    expect(await purgeNatsNamespace(natsUrl(), other)).toEqual([`${other}_events`])
  })
})

describe("a throwaway PostgreSQL cluster", () => {
  it("starts, answers select 1, stops and leaves nothing behind", async () => {
    const cluster = await startPostgresCluster()
    try {
      expect(cluster.port).not.toBe(5432)
      const client = new pg.Client({ connectionString: cluster.url })
      await client.connect()
      expect((await client.query("select 1 as one, current_database() as db")).rows[0]).toEqual({ one: 1, db: "test" })
      await client.end()
    } finally {
      await cluster.stop()
    }
    expect(existsSync(cluster.dir)).toBe(false)
  })
})
