/**
 * Part 6's servers: gateways in cluster mode as production runs them (the bundle, plain node,
 * the production NODE_OPTIONS), sharing a fresh PostgreSQL database and a fresh NATS namespace
 * on the test NATS; their admin view of the cluster; a count of the `messages` rows in PostgreSQL.
 */
import type { ClusterView } from "../../actors/Transport.ts"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import pg from "pg"
import { ADMIN_TOKEN, APP_SECRET, type ChildGateway, PLAYBOOK_OFF, startChildGateway, VERIFY_TOKEN } from "../support/gateway.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "../support/services.ts"
import { PRODUCTION_NODE_OPTIONS, productionBuild } from "./servers.ts"

export interface ClusterGateway extends ChildGateway {
  readonly instanceId: string
  readonly pid: number
  /** With BENCH_CLUSTER_PROFILE=1: where ./loop-probe.mjs writes this gateway's CPU profile (SIGUSR2 starts and stops it). */
  readonly profileFile: string | undefined
}

/** BENCH_CLUSTER_PROFILE=1: each gateway's CPU is profiled during part 6's measured ingest (see ./cluster.ts). */
export const profileDir = process.env.BENCH_CLUSTER_PROFILE === "1" ? mkdtempSync(join(tmpdir(), "loket-clusterprof-")) : undefined

export interface ClusterUnderTest {
  readonly gateways: ReadonlyArray<ClusterGateway>
  readonly databaseUrl: string
  readonly natsUrl: string
  readonly namespace: string
  /** LOKET_PARTITIONS as the gateways run with it (their default). */
  readonly partitions: number
  /** Kills every gateway still running, drops the database, purges the namespace. */
  readonly stop: () => Promise<void>
}

/** What `GET /api/v1/admin/cluster` answers in cluster mode. */
export type { ClusterView }

const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}` }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** `count` gateways (`bench-gw0`, …) on one database and namespace; LOKET_PARTITIONS and LOKET_LEASE_MS left at their defaults. */
export async function startCluster(count: number): Promise<ClusterUnderTest> {
  const nats = natsUrl()
  const database = await freshPostgresDatabase()
  const namespace = natsNamespace()
  const gateways: Array<ClusterGateway> = []
  const stop = async () => {
    for (const gateway of gateways) await gateway.kill()
    await database.drop()
    await purgeNatsNamespace(nats, namespace)
  }
  try {
    for (let i = 0; i < count; i++) {
      const instanceId = `bench-gw${i}`
      const profileFile = profileDir === undefined ? undefined : join(profileDir, `${instanceId}.cpuprofile`)
      const env = gatewayEnv(database.url, nats, namespace, instanceId)
      if (profileFile !== undefined) Object.assign(env, { LOOP_PROBE_PROFILE: profileFile, NODE_OPTIONS: `${env.NODE_OPTIONS} --import ${new URL("./loop-probe.mjs", import.meta.url).pathname}` })
      const gateway = await startChildGateway(env, productionBuild())
      gateways.push({ ...gateway, instanceId, pid: gateway.child.pid!, profileFile })
    }
    const view = await clusterView(gateways[0]!.url)
    return { gateways, databaseUrl: database.url, natsUrl: nats, namespace, partitions: view.partitions, stop }
  } catch (error) {
    for (const gateway of gateways) console.error(`${gateway.instanceId} output:\n${gateway.output().slice(-2000)}`)
    await stop()
    throw error
  }
}

function gatewayEnv(databaseUrl: string, nats: string, namespace: string, instanceId: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    NATS_URL: nats,
    LOKET_NATS_NAMESPACE: namespace,
    LOKET_INSTANCE_ID: instanceId,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    LOKET_ADMIN_TOKEN: ADMIN_TOKEN,
    ...PLAYBOOK_OFF,
    NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? PRODUCTION_NODE_OPTIONS
  }
}

export async function clusterView(url: string): Promise<ClusterView> {
  const res = await fetch(`${url}/api/v1/admin/cluster`, { headers: adminHeaders })
  if (res.status !== 200) throw new Error(`admin/cluster on ${url} answered ${res.status}`)
  return (await res.json()) as ClusterView
}

/** Whether the views show every partition owned exactly once, each instance with its fair share, and one leader. */
export function balanced(views: ReadonlyArray<ClusterView>, partitions: number): boolean {
  const owned = views.flatMap((v) => v.owned)
  const fair = Math.ceil(partitions / views.length)
  return owned.length === partitions && new Set(owned).size === partitions &&
    views.every((v) => v.owned.length <= fair) && views.filter((v) => v.leader).length === 1
}

/** Polls every `everyMs` until `done` holds for the views of `urls`; the time it did (performance.now), or undefined after `timeoutMs`. */
export async function waitForViews(urls: ReadonlyArray<string>, done: (views: ReadonlyArray<ClusterView>) => boolean, timeoutMs: number, everyMs = 50): Promise<number | undefined> {
  const start = performance.now()
  while (performance.now() - start < timeoutMs) {
    const views = await Promise.all(urls.map(clusterView)).catch(() => undefined)
    if (views !== undefined && done(views)) return performance.now()
    await sleep(everyMs)
  }
  return undefined
}

/** Counts the `messages` rows in PostgreSQL over one connection of its own. */
export async function openPgCounter(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const count = async () => Number((await client.query<{ n: string }>("select count(*) as n from messages")).rows[0]!.n)
  return {
    count,
    /** The conversation of the resident with `waId`, once it exists. */
    conversationOf: async (waId: string): Promise<string | undefined> =>
      (await client.query<{ id: string }>("select c.id from conversations c join contacts k on k.id = c.contact_id where k.wa_id = $1", [waId])).rows[0]?.id,
    /** Polls every `everyMs` until `target` rows are there; the time it happened (performance.now), or undefined after `timeoutMs`. */
    waitFor: async (target: number, timeoutMs: number, everyMs = 50): Promise<number | undefined> => {
      const start = performance.now()
      let reported = start
      while (performance.now() - start < timeoutMs) {
        const n = await count()
        if (n >= target) return performance.now()
        if (performance.now() - reported > 10_000) {
          reported = performance.now()
          console.log(`  … still waiting: ${n} of ${target} messages committed in PostgreSQL`)
        }
        await sleep(everyMs)
      }
      return (await count()) >= target ? performance.now() : undefined
    },
    /** The server processes of the other connections to this database (the gateways' pools), by pid. */
    backends: async (): Promise<Array<number>> =>
      (await client.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'")).rows.map((r) => r.pid),
    close: () => client.end()
  }
}

export type PgCounter = Awaited<ReturnType<typeof openPgCounter>>
