/** `GET /healthz` (the process answers) and `GET /readyz` (events can be made durable). */
import { Hono } from "hono"
import { Transport } from "../actors/Transport.ts"
import type { AppRuntime } from "./Runtime.ts"

export function healthRoutes(runtime: AppRuntime) {
  return new Hono()
    .get("/healthz", (c) => c.json({ status: "ok" }))
    .get("/readyz", async function readiness(c) {
      const ready = await runtime.runPromise(Transport.use((t) => t.ready)).catch(() => false)
      return ready ? c.json({ status: "ready" }) : c.json({ status: "unavailable" }, 503)
    })
}
