/**
 * Two in-process gateways in cluster mode on one fresh PostgreSQL database and one NATS namespace
 * (4 partitions, 2 s leases): what the cluster tests of people, tokens and console sessions start.
 */
import { ADMIN_TOKEN, APP_SECRET, startGateway, type TestGateway } from "./gateway.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "./services.ts"

export interface GatewayPair {
  readonly a: TestGateway
  readonly b: TestGateway
  /** Stops both gateways, drops the database and purges the namespace. */
  readonly close: () => Promise<void>
}

export async function startGatewayPair(name: string, extra: Record<string, string> = {}): Promise<GatewayPair> {
  const cleanups: Array<() => Promise<unknown>> = []
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  }
  try {
    const database = await freshPostgresDatabase()
    const ns = natsNamespace()
    cleanups.push(() => database.drop(), () => purgeNatsNamespace(natsUrl(), ns))
    const env = (i: number) => ({
      DATABASE_URL: database.url, NATS_URL: natsUrl(), LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: "4", LOKET_LEASE_MS: "2000",
      LOKET_INSTANCE_ID: `${name}-gw${i}`, WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN, LOKET_DB_POOL_SIZE: "3", ...extra
    })
    const a = await startGateway(env(0))
    cleanups.push(() => a.close())
    const b = await startGateway(env(1))
    cleanups.push(() => b.close())
    return { a, b, close }
  } catch (error) {
    await close()
    throw error
  }
}
