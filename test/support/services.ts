/**
 * The real NATS (JetStream) and PostgreSQL that tests use: found on 127.0.0.1 (4222, 5432), given by
 * `LOKET_TEST_NATS_URL` / `LOKET_TEST_DATABASE_URL`, or started throwaway from PATH by the global setup
 * (`test/support/global-setup.ts`), which hands the URLs to test files and their children through env.
 * Never imports the app: the global setup loads this file.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { connect as tcpConnect, createServer } from "node:net"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { connect } from "nats"
import pg from "pg"

export const SHARED_NATS_URL = "nats://127.0.0.1:4222"
export const SHARED_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"

/** The NATS (with JetStream) tests use. */
export const natsUrl = (): string => process.env.LOKET_TEST_NATS_URL || process.env.NATS_URL || SHARED_NATS_URL

/** The PostgreSQL server (database `test`) tests use. */
export const postgresUrl = (): string => process.env.LOKET_TEST_DATABASE_URL || SHARED_POSTGRES_URL

// ---- isolation helpers for test files ----

/** A database of its own on the test server; `drop()` removes it (closing whatever is still connected). */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `loket_t_${randomBytes(6).toString("hex")}`
  const base = postgresUrl()
  await withClient(base, (c) => c.query(`create database "${name}"`))
  const url = new URL(base)
  url.pathname = `/${name}`
  return { url: url.href, drop: () => withClient(base, (c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined) }
}

/** A short unique prefix for `LOKET_NATS_NAMESPACE`: streams `<ns>_…`, KV buckets `KV_<ns>_…`. */
export const natsNamespace = (): string => `t${randomBytes(4).toString("hex")}`

/** Deletes the namespace's streams, KV buckets and object stores; returns the names deleted. */
export async function purgeNatsNamespace(url: string, ns: string): Promise<string[]> {
  const nc = await connect({ servers: url })
  try {
    const jsm = await nc.jetstreamManager()
    const mine: string[] = []
    for await (const name of jsm.streams.names()) {
      if (name === ns || [`${ns}_`, `KV_${ns}_`, `OBJ_${ns}_`].some((p) => name.startsWith(p))) mine.push(name)
    }
    for (const name of mine) await jsm.streams.delete(name)
    return mine
  } finally {
    await nc.close()
  }
}

// ---- what the global setup does: a pure decision, then the doing ----

export interface ServiceFacts {
  /** The URL the environment gives, if any. */
  readonly given: string | undefined
  /** Whether the shared address (4222 / 5432 on 127.0.0.1) accepts connections. */
  readonly listening: boolean
  /** The binaries a throwaway server needs, each with its path or undefined when not found. */
  readonly binaries: Readonly<Record<string, string | undefined>>
}

export type ServicePlan =
  | { readonly kind: "given" | "shared"; readonly url: string }
  | { readonly kind: "throwaway" }
  | { readonly kind: "missing"; readonly message: string }

const INSTALL = {
  nats: { shared: SHARED_NATS_URL, install: "apt-get install nats-server", env: "LOKET_TEST_NATS_URL", where: "on PATH" },
  postgres: { shared: SHARED_POSTGRES_URL, install: "apt-get install postgresql", env: "LOKET_TEST_DATABASE_URL", where: "on PATH or in /usr/lib/postgresql/*/bin" }
} as const

export function planService(service: "nats" | "postgres", facts: ServiceFacts): ServicePlan {
  const info = INSTALL[service]
  if (facts.given) return { kind: "given", url: facts.given }
  if (facts.listening) return { kind: "shared", url: info.shared }
  const missing = Object.keys(facts.binaries).filter((name) => !facts.binaries[name])
  if (missing.length === 0) return { kind: "throwaway" }
  return { kind: "missing", message: `${missing.join(" and ")} not found ${info.where}: install ${missing.length > 1 ? "them" : "it"} (Debian: ${info.install}) or set ${info.env}` }
}

/** Decides, starts what is needed, exports the URLs to env; returns the teardown. */
export async function setupServices(env: NodeJS.ProcessEnv = process.env): Promise<() => Promise<void>> {
  const nats = planService("nats", {
    given: env.LOKET_TEST_NATS_URL || env.NATS_URL,
    listening: await isListening(4222),
    binaries: { "nats-server": findBinary("nats-server") }
  })
  const postgres = planService("postgres", {
    given: env.LOKET_TEST_DATABASE_URL,
    listening: await isListening(5432),
    binaries: { initdb: findPostgresBinary("initdb"), pg_ctl: findPostgresBinary("pg_ctl") }
  })
  const missing = [nats, postgres].flatMap((plan) => plan.kind === "missing" ? [plan.message] : [])
  if (missing.length > 0) throw oneLineError(missing.join("; "))
  const stops: Array<() => Promise<void>> = []
  try {
    if (nats.kind === "throwaway") {
      const server = await startNatsServer()
      stops.push(server.dispose)
      env.LOKET_TEST_NATS_URL = server.url
    } else if (nats.kind !== "missing") env.LOKET_TEST_NATS_URL = nats.url
    if (postgres.kind === "throwaway") {
      const cluster = await startPostgresCluster()
      stops.push(cluster.stop)
      env.LOKET_TEST_DATABASE_URL = cluster.url
    } else if (postgres.kind !== "missing") env.LOKET_TEST_DATABASE_URL = postgres.url
  } catch (error) {
    for (const stop of stops) await stop()
    throw error
  }
  return async () => {
    for (const stop of stops.reverse()) await stop()
  }
}

const oneLineError = (message: string) => Object.assign(new Error(message), { stack: message })

function requireBinaries<K extends string>(service: "nats" | "postgres", binaries: Record<K, string | undefined>): Record<K, string> {
  const plan = planService(service, { given: undefined, listening: false, binaries })
  if (plan.kind === "missing") throw oneLineError(plan.message)
  return binaries as Record<K, string>
}

// ---- throwaway NATS ----

export interface NatsServer {
  readonly url: string
  readonly port: number
  readonly storeDir: string
  /** Signals the server (SIGTERM by default) and waits until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** (Re)starts it on the same port and store dir; resolves once it accepts connections. */
  start(): Promise<void>
  /** Stops it and removes the store dir when this module made it. */
  dispose(): Promise<void>
  /** What the server printed (last 64 KiB). */
  output(): string
}

export interface NatsServerOptions {
  readonly port?: number
  readonly storeDir?: string
  /** Joins a cluster: its name, this server's route port, the routes (`nats://127.0.0.1:<port>`) of the others. */
  readonly cluster?: { readonly name: string; readonly port: number; readonly routes: ReadonlyArray<string>; readonly serverName?: string }
  /** Runs `nats-server -c <file>` instead (the file names ports, store dir, cluster; `port` must be its client port). */
  readonly configFile?: string
  /** Extra environment (the `$VARIABLES` a config file refers to). */
  readonly env?: Readonly<Record<string, string>>
}

/** A throwaway `nats-server -js` on a free port (never the shared 4222), started before this resolves. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const { "nats-server": binary } = requireBinaries("nats", { "nats-server": findBinary("nats-server") })
  const port = options.port ?? await freePort()
  const ownDir = options.storeDir === undefined
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), "loket-nats-"))
  const args = options.configFile !== undefined ? ["-c", options.configFile] : ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir]
  const cluster = options.configFile === undefined ? options.cluster : undefined
  if (cluster) {
    args.push("--cluster_name", cluster.name, "--cluster", `nats://127.0.0.1:${cluster.port}`, "--server_name", cluster.serverName ?? `n${port}`)
    if (cluster.routes.length > 0) args.push("--routes", cluster.routes.join(","))
  }
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  let out = ""
  const killOnExit = () => child?.kill("SIGKILL")
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    output: () => out,
    async start() {
      if (child) return
      const proc = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } })
      child = proc
      const append = (chunk: Buffer) => (out = (out + chunk).slice(-65_536))
      proc.stdout!.on("data", append)
      proc.stderr!.on("data", append)
      exited = new Promise((resolve) => proc.once("exit", () => {
        if (child === proc) child = undefined
        process.off("exit", killOnExit)
        resolve()
      }))
      process.once("exit", killOnExit)
      await waitListening(port, exited, () => `nats-server on port ${port} did not start:\n${out}`)
    },
    async stop(signal = "SIGTERM") {
      if (!child) return
      child.kill(signal)
      await exited
    },
    async dispose() {
      await server.stop()
      if (ownDir) rmSync(storeDir, { recursive: true, force: true })
    }
  }
  await server.start()
  return server
}

// ---- throwaway PostgreSQL ----

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/test`, trust auth. */
  readonly url: string
  readonly port: number
  readonly dir: string
  /** Stops the cluster and removes its directory. */
  stop(): Promise<void>
}

/**
 * initdb (trust auth) in a temporary directory, `pg_ctl start` on a free port with the unix socket in
 * that directory, database `test`. As root (initdb refuses root) it runs as user `postgres` (else `nobody`).
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const { initdb, pg_ctl: pgCtl } = requireBinaries("postgres", { initdb: findPostgresBinary("initdb"), pg_ctl: findPostgresBinary("pg_ctl") })
  const dir = mkdtempSync(join(tmpdir(), "loket-pg-"))
  const user = process.getuid?.() === 0 ? unprivilegedUser() : undefined
  if (user) chownSync(dir, user.uid, user.gid)
  const run = (command: string, args: string[]) => runAs(user?.name, command, args, dir)
  const data = join(dir, "data")
  const port = await freePort()
  const stopNow = () => {
    spawnSync(...asUser(user?.name, pgCtl, ["-D", data, "-m", "immediate", "stop"]), { cwd: dir, stdio: "ignore" })
    rmSync(dir, { recursive: true, force: true })
  }
  process.once("exit", stopNow)
  try {
    await run(initdb, ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
    const settings = `-p ${port} -k '${dir}' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`
    await run(pgCtl, ["-D", data, "-l", join(dir, "postgres.log"), "-w", "-t", "30", "-o", settings, "start"])
    await withClient(`postgres://postgres@127.0.0.1:${port}/postgres`, (c) => c.query("create database test"))
  } catch (error) {
    process.off("exit", stopNow)
    stopNow()
    throw error
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/test`,
    port,
    dir,
    async stop() {
      process.off("exit", stopNow)
      await run(pgCtl, ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

function unprivilegedUser(): { name: string; uid: number; gid: number } {
  const passwd = readFileSync("/etc/passwd", "utf8").split("\n").map((line) => line.split(":"))
  for (const name of ["postgres", "nobody"]) {
    const entry = passwd.find((fields) => fields[0] === name)
    if (entry) return { name, uid: Number(entry[2]), gid: Number(entry[3]) }
  }
  throw oneLineError("running as root and no user postgres or nobody to run a throwaway PostgreSQL as: set LOKET_TEST_DATABASE_URL")
}

function asUser(user: string | undefined, command: string, args: string[]): [string, string[]] {
  if (!user) return [command, args]
  if (findBinary("runuser")) return ["runuser", ["-u", user, "--", command, ...args]]
  const quoted = [command, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ")
  return ["su", [user, "-s", "/bin/sh", "-c", quoted]]
}

function runAs(user: string | undefined, command: string, args: string[], cwd: string): Promise<void> {
  const [cmd, argv] = asUser(user, command, args)
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout!.on("data", (chunk) => (out += chunk))
    child.stderr!.on("data", (chunk) => (out += chunk))
    child.once("error", reject)
    child.once("exit", (code) => code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${out}`)))
  })
}

// ---- small tools ----

/** An executable named `name` on PATH (or in `extraDirs`), else undefined. */
export function findBinary(name: string, extraDirs: ReadonlyArray<string> = []): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...extraDirs]
  for (const dir of dirs) {
    const path = join(dir, name)
    try {
      accessSync(path, constants.X_OK)
      if (statSync(path).isFile()) return path
    } catch {
      // not here
    }
  }
  return undefined
}

/** A PostgreSQL server binary: PATH first, then Debian's `/usr/lib/postgresql/<newest>/bin`. */
export function findPostgresBinary(name: string): string | undefined {
  let versions: string[] = []
  try {
    versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a))
  } catch {
    // not Debian's layout
  }
  return findBinary(name, versions.map((v) => `/usr/lib/postgresql/${v}/bin`))
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function isListening(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port })
    const done = (result: boolean) => {
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
  })
}

async function waitListening(port: number, exited: Promise<void>, describe: () => string, timeoutMs = 20_000): Promise<void> {
  let gone = false
  void exited.then(() => (gone = true))
  const start = Date.now()
  while (!(await isListening(port))) {
    if (gone || Date.now() - start > timeoutMs) throw new Error(describe())
    await new Promise((r) => setTimeout(r, 50))
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}
