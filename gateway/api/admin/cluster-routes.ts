/**
 * For IT teams (admin token): `GET /api/v1/admin/cluster` — the mode this instance runs in and,
 * in cluster mode, its instance id, the partitions it hosts, whether it leads and whether NATS
 * is connected. Ask each instance (or any one, through the proxy) to see how work is spread.
 */
import { Effect } from "effect"
import { Hono } from "hono"
import { Transport } from "../../../actors/Transport.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"

export function clusterRoutes(runtime: AppRuntime) {
  return new Hono<AuthEnv>().get("/", async function clusterStatus(c) {
    const view = await runtime.runPromise(Transport.use((t) => Effect.sync(() => t.cluster())))
    return c.json(view === undefined ? { mode: "embedded" } : { mode: "cluster", ...view })
  })
}
