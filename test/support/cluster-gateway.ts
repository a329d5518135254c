/**
 * One in-process gateway in cluster mode (NATS JetStream + PostgreSQL, 4 partitions) for a
 * channel's cluster test, with the provider's msw handlers listening: started before the file's
 * tests, stopped (database dropped, namespace purged) after them.
 */
import type { RequestHandler } from "msw"
import { setupServer } from "msw/node"
import { afterAll, beforeAll } from "vitest"
import { baseEnv, startGateway, type TestGateway } from "./gateway.ts"
import { freshPostgresDatabase, natsNamespace, natsUrl, purgeNatsNamespace } from "./services.ts"

/** `channelEnv` adds the channel's settings to the cluster's environment. The answer's `url` is the gateway's once it runs. */
export function clusterGatewayFor(channelEnv: (env: Record<string, string>) => Record<string, string>, handlers: ReadonlyArray<RequestHandler>): { readonly url: string } {
  const msw = setupServer(...handlers)
  const ns = natsNamespace()
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined
  let gw: TestGateway | undefined
  beforeAll(async () => {
    msw.listen({ onUnhandledRequest: "bypass" })
    database = await freshPostgresDatabase()
    gw = await startGateway(baseEnv(channelEnv({ DATABASE_URL: database.url, NATS_URL: natsUrl(), LOKET_NATS_NAMESPACE: ns, LOKET_PARTITIONS: "4" })))
  })
  afterAll(async () => {
    await gw?.close()
    msw.close()
    await purgeNatsNamespace(natsUrl(), ns)
    await database?.drop()
  })
  return {
    get url() {
      if (gw === undefined) throw new Error("the cluster gateway has not started (used outside a test?)")
      return gw.url
    }
  }
}
