/**
 * The servers under test, each in its own child process: Loket (test/support's
 * startChildGateway, i.e. `node --import tsx gateway/main.ts`) and the bare Hono baseline.
 * Also: the child's memory from /proc, and the SQLite file behind a gateway's env.
 */
import { execFileSync } from "node:child_process"
import { readFileSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { APP_SECRET, baseEnv, freePort, PLAYBOOK_OFF, spawnListening, startChildGateway, tempDir } from "../support/gateway.ts"

export interface ServerUnderTest {
  readonly name: string
  readonly url: string
  readonly pid: number
  /** The SQLite file (Loket only). */
  readonly dbPath: string | undefined
  readonly output: () => string
  readonly stop: () => Promise<void>
}

/** What `npm run start:prod` and the Docker image give node. */
export const PRODUCTION_NODE_OPTIONS = "--max-old-space-size=192 --max-semi-space-size=8"

let built: string | undefined
/**
 * Loket as production runs it (`npm run build`, the Docker image): the bundle, plain node, no
 * TypeScript loader. Built once per bench run into .tmp/ (inside the project, so node_modules resolve).
 */
export function productionBuild(): { readonly bundle: string } {
  // BENCH_BUNDLE=<main.mjs>: another build (e.g. of an older commit, for a before/after in the same hour).
  if (process.env.BENCH_BUNDLE !== undefined) return { bundle: process.env.BENCH_BUNDLE }
  if (built === undefined) {
    const root = new URL("../../", import.meta.url).pathname
    execFileSync(process.execPath, ["scripts/build.mjs", ".tmp/bench-build"], { cwd: root, stdio: "ignore" })
    built = join(root, ".tmp/bench-build/main.mjs")
  }
  return { bundle: built }
}

/** The runtimes Loket is measured on (BENCH_RUNTIMES=node,bun; default both): side by side in parts 1, 2 and 5. */
export type BenchRuntime = "node" | "bun"
export const RUNTIMES: ReadonlyArray<BenchRuntime> = (process.env.BENCH_RUNTIMES ?? "node,bun").split(",")
  .map((s) => s.trim()).filter((s): s is BenchRuntime => s === "node" || s === "bun")

/**
 * Loket as a child process. `sync`: "default" leaves LOKET_SQLITE_SYNCHRONOUS unset (FULL).
 * `runtime` "bun": `npm run start:bun` (Bun.serve, bun:sqlite), from the sources as Bun runs them.
 */
export async function startLoket(name: string, sync: "default" | "NORMAL", extra: Record<string, string> = {}, runtime: BenchRuntime = "node"): Promise<ServerUnderTest> {
  // The playbook's own replies (out of hours) would make the figures depend on the hour: off unless a part sets LOKET_CONFIG.
  const env = baseEnv({ ...PLAYBOOK_OFF, ...extra })
  if (sync === "default") delete env.LOKET_SQLITE_SYNCHRONOUS
  else env.LOKET_SQLITE_SYNCHRONOUS = sync
  const dbPath = env.DATABASE_URL!.replace(/^file:/, "")
  env.NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? PRODUCTION_NODE_OPTIONS
  // BENCH_LOOP_PROBE=<prefix>: every Loket child on Node writes ./loop-probe.mjs's once-a-second figures to <prefix>.<its name>.
  if (process.env.BENCH_LOOP_PROBE !== undefined && extra.LOOP_PROBE_OUT === undefined) env.LOOP_PROBE_OUT = `${process.env.BENCH_LOOP_PROBE}.${name.replace(/\W+/g, "_")}`
  // LOOP_PROBE_OUT=<file>: ./loop-probe.mjs writes the child's event-loop and fsync figures there, once a second;
  // LOOP_PROBE_PROFILE=<file>: it profiles the CPU between two SIGUSR2.
  if (env.LOOP_PROBE_OUT !== undefined || env.LOOP_PROBE_PROFILE !== undefined) env.NODE_OPTIONS += ` --import ${new URL("./loop-probe.mjs", import.meta.url).pathname}`
  if (runtime === "bun") delete env.NODE_OPTIONS
  const gateway = await startChildGateway(env, runtime === "bun" ? "bun" : productionBuild())
  return {
    name,
    url: gateway.url,
    pid: gateway.child.pid!,
    dbPath,
    output: gateway.output,
    stop: async () => {
      await gateway.kill()
      rmSync(dirname(dbPath), { recursive: true, force: true })
    }
  }
}

/**
 * Loket as a child process with extra node flags (e.g. `--cpu-prof`, which NODE_OPTIONS does not take; part 9's BENCH_LIST_PROFILE),
 * like startChildGateway otherwise. `stop` sends SIGTERM (so a CPU profile gets written), SIGKILL after 15 s.
 */
export async function startLoketWith(name: string, nodeArgs: ReadonlyArray<string>, extra: Record<string, string> = {}): Promise<ServerUnderTest> {
  // The playbook's own replies (out of hours) would make the figures depend on the hour: off unless a part sets LOKET_CONFIG.
  const env = baseEnv({ ...PLAYBOOK_OFF, ...extra })
  delete env.LOKET_SQLITE_SYNCHRONOUS
  const dbPath = env.DATABASE_URL!.replace(/^file:/, "")
  const port = await freePort()
  const { child, output, exited } = await spawnListening(
    process.execPath, [...nodeArgs, "--import", "tsx", "gateway/main.ts"],
    { ...env, PORT: String(port), HOST: "127.0.0.1" }, "Loket listening", "gateway"
  )
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    dbPath,
    output,
    stop: async () => {
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000)
      await exited
      clearTimeout(timer)
      rmSync(dirname(dbPath), { recursive: true, force: true })
    }
  }
}

/** test/bench/bare-hono.ts as a child process. */
export async function startBareHono(): Promise<ServerUnderTest> {
  const port = await freePort()
  const { child, output, exited } = await spawnListening(process.execPath, ["--import", "tsx", "test/bench/bare-hono.ts"], { PORT: String(port) }, "listening", "bare hono")
  return {
    name: "bare Hono",
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    dbPath: undefined,
    output,
    stop: async () => {
      child.kill("SIGKILL")
      await exited
    }
  }
}

/** VmRSS and VmHWM (peak) of a process, in MiB. */
export function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN)
  return { rssMiB: kib("VmRSS") / 1024, hwmMiB: kib("VmHWM") / 1024 }
}

/**
 * test/bench/durable-floor.ts as a child process: bare Hono plus the signature, the JSON and one
 * group-committed, fsync'd SQLite row per message (the least any durable receiver must do).
 * `writer: "worker"`: the same with the SQLite writer in a worker thread (FLOOR_WRITER=worker);
 * `extraUs`: that much CPU a message in the writer besides (FLOOR_EXTRA_US), a model of Loket's own work.
 */
export async function startDurableFloor(rows: "inbox" | "full", writer: "thread" | "worker" = "thread", extraUs = 0): Promise<ServerUnderTest> {
  const port = await freePort()
  const dir = tempDir("loket-floor-")
  const probe: Record<string, string> = process.env.BENCH_LOOP_PROBE === undefined ? {} : {
    LOOP_PROBE_OUT: `${process.env.BENCH_LOOP_PROBE}.durable_floor_${rows}${writer === "worker" ? "_worker" : ""}${extraUs > 0 ? "_extra" : ""}`, NODE_OPTIONS: `--import ${new URL("./loop-probe.mjs", import.meta.url).pathname}`
  }
  const { child, output, exited } = await spawnListening(
    process.execPath, ["--import", "tsx", "test/bench/durable-floor.ts"],
    { PORT: String(port), FLOOR_DB: join(dir, "floor.db"), FLOOR_APP_SECRET: APP_SECRET, FLOOR_ROWS: rows, FLOOR_WRITER: writer, FLOOR_EXTRA_US: String(Math.round(extraUs)), ...probe }, "listening", "durable floor"
  )
  return {
    name: `durable floor (${rows}${writer === "worker" ? ", writer in a worker thread" : ""}${extraUs > 0 ? `, +${Math.round(extraUs)} µs a message` : ""})`,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    // Its `messages` table is Loket's: counted like Loket's (rows only come with "full").
    dbPath: rows === "full" ? join(dir, "floor.db") : undefined,
    output,
    stop: async () => {
      child.kill("SIGKILL")
      await exited
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
