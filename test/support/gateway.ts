/**
 * Starts a real gateway for tests: in this process on a loopback port (fast), or as a child
 * process (`npm start`'s entry) for crash tests. Real HTTP, real SQLite.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { serve } from "@hono/node-server"
import { Effect, type Layer } from "effect"
import type { Database } from "../../drizzle/Database.ts"
import { makeApp } from "../../gateway/app.ts"
import { applySettingsFile } from "../../gateway/settings-file.ts"
import { readSettingsFile } from "../../config/settingsFile.ts"
import { LoketConfig } from "../../config/Config.ts"
import { appLayer, type AppRuntime, makeRuntime } from "../../gateway/Runtime.ts"
import { freshPostgresDatabase } from "./services.ts"
import { freePort } from "./services.ts"

export { freePort }

export const APP_SECRET = "test-app-secret"
export const VERIFY_TOKEN = "test-verify-token"
export const ADMIN_TOKEN = "test-admin-token"

export const tempDir = (prefix = "loket-test-") => mkdtempSync(join(tmpdir(), prefix))

/**
 * LOKET_CONFIG for tests that are not about the playbook: without it a resident writing outside
 * office hours (the default Monday–Friday 08:30–17:00, so whenever the suite runs at night) gets
 * Loket's out-of-hours reply, an outbound message such tests do not expect: a test whose outcome
 * would depend on the hour it runs uses it.
 */
export const PLAYBOOK_OFF = { LOKET_CONFIG: new URL("./playbook-off.json", import.meta.url).pathname }

export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: `file:${join(tempDir(), "loket.db")}`,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    LOKET_ADMIN_TOKEN: ADMIN_TOKEN,
    LOKET_SQLITE_SYNCHRONOUS: "NORMAL",
    ...extra
  }
}

export interface TestGateway {
  readonly url: string
  /** The database it runs on (a fresh PostgreSQL one in the suite's PostgreSQL run). */
  readonly databaseUrl: string
  readonly runtime: AppRuntime
  readonly close: () => Promise<void>
}

/**
 * The PostgreSQL run of the suite (vitest project `postgres`, LOKET_TEST_DIALECT=postgres): a
 * gateway that would get a fresh SQLite file gets a fresh PostgreSQL database instead.
 */
async function dialectEnv(env: Record<string, string>): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (process.env.LOKET_TEST_DIALECT !== "postgres" || !env.DATABASE_URL?.startsWith("file:")) return { env, drop: async () => {} }
  const database = await freshPostgresDatabase()
  return { env: { ...env, DATABASE_URL: database.url }, drop: database.drop }
}

/** A gateway in this process on loopback; `database` replaces the Database layer the env would give. */
export async function startGateway(given: Record<string, string> = baseEnv(), database?: Layer.Layer<Database, unknown>): Promise<TestGateway> {
  const { env, drop } = await dialectEnv(given)
  const config = await Effect.runPromise(Effect.provide(Effect.gen(function*() {
    return yield* LoketConfig
  }), LoketConfig.fromEnv(env)))
  const runtime = makeRuntime(database === undefined ? appLayer(config) : appLayer(config, database))
  const app = await makeApp(runtime)
  // LOKET_CONFIG as `npm start` applies it (gateway/start.ts), before the first request.
  if (config.settingsFile !== undefined) {
    const file = readSettingsFile(config.settingsFile, config.timezone)
    const applied = file.ok ? await applySettingsFile(runtime, file.document) : file
    if (!applied.ok) {
      await runtime.dispose()
      throw new Error(applied.lines.join("\n"))
    }
  }
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" })
  await new Promise<void>((resolve) => server.once("listening", () => resolve()))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    databaseUrl: env.DATABASE_URL ?? "",
    runtime,
    close: async () => {
      ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await runtime.dispose()
      await drop()
    }
  }
}

export interface ChildGateway {
  readonly url: string
  readonly child: ChildProcess
  readonly output: () => string
  /** SIGKILL, then wait for the exit. */
  readonly kill: () => Promise<void>
}

/** Runs the gateway as `node --import tsx gateway/main.ts` (or Bun), waiting until it listens. */
/** `node`: `npm start`'s entry through tsx; `bun`: `npm run start:bun`; `{ bundle }`: a production build (`npm run build`). */
export type ChildRuntime = "node" | "bun" | { readonly bundle: string }

export async function startChildGateway(env: Record<string, string>, runtime: ChildRuntime = "node", fixedPort?: number): Promise<ChildGateway> {
  const port = fixedPort ?? await freePort()
  const root = new URL("../../", import.meta.url).pathname
  const [command, args] = runtime === "node"
    ? [process.execPath, ["--import", "tsx", "gateway/main.ts"]]
    : runtime === "bun"
    ? [join(root, "node_modules/.bin/bun"), ["gateway/main.bun.ts"]]
    : [process.execPath, [runtime.bundle]]
  const { child, output, exited } = await spawnListening(command, args, { ...env, PORT: String(port), HOST: "127.0.0.1" }, "Loket listening", "gateway")
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output,
    kill: async () => {
      child.kill("SIGKILL")
      await exited
    }
  }
}

export interface Spawned {
  readonly child: ChildProcess
  /** Everything it printed so far (stdout and stderr). */
  readonly output: () => string
  readonly exited: Promise<void>
}

/** Starts a process in the project folder and waits (20 s at most) until it prints `readyText`. */
export async function spawnListening(command: string, args: ReadonlyArray<string>, env: Record<string, string>, readyText: string, label: string): Promise<Spawned> {
  const child = spawn(command, args, {
    cwd: new URL("../../", import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout!.on("data", (chunk) => (output += chunk))
  child.stderr!.on("data", (chunk) => (output += chunk))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start in 20 s:\n${output}`)), 20_000)
    child.stdout!.on("data", () => {
      if (output.includes(readyText)) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`${label} exited with ${code}:\n${output}`))
    })
  })
  return { child, output: () => output, exited }
}

/** An in-process gateway on a SQLite file of its own, for tests that look into that file from beside it. */
export async function startGatewayOnFile(): Promise<{ readonly gw: TestGateway; readonly file: string }> {
  const file = join(tempDir(), "loket.db")
  return { gw: await startGateway(baseEnv({ DATABASE_URL: `file:${file}` })), file }
}

export const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }

/** Polls `read` until `done` holds (or fails after `timeoutMs`). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const start = Date.now()
  let last: T = await read()
  while (!done(last)) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)?.slice(0, 500)}`)
    await new Promise((r) => setTimeout(r, 25))
    last = await read()
  }
  return last
}
