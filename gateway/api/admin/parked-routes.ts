/**
 * For IT teams (admin token): events Loket could not handle are parked, never dropped.
 * `GET /api/v1/admin/parked` lists them with their cause (not their content: it holds residents'
 * data); `POST /api/v1/admin/parked/:seq/retry` hands one to its conversation again, once the
 * cause is mended.
 */
import { Hono } from "hono"
import { Transport } from "../../../actors/Transport.ts"
import { jsonError } from "../../http/errors.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"

export function parkedRoutes(runtime: AppRuntime) {
  return new Hono<AuthEnv>()
    .get("/", async function listParked(c) {
      const limit = Math.min(500, Math.max(1, Number(c.req.query("limit") ?? 100) || 100))
      const items = await runtime.runPromise(Transport.use((t) => t.parked(limit)))
      return c.json({ items })
    })
    .post("/:seq/retry", async function retryParked(c) {
      const seq = Number(c.req.param("seq"))
      if (!Number.isSafeInteger(seq) || seq <= 0) {
        return jsonError(c, 400, "invalid_seq", "seq is the number GET /api/v1/admin/parked lists.", [{ path: "seq", message: "expected a positive integer" }])
      }
      const outcome = await runtime.runPromise(Transport.use((t) => t.retryParked(seq)))
      switch (outcome) {
        case "requeued":
          return c.json({ status: "requeued", seq }, 202)
        case "rejected":
          return jsonError(c, 409, "not_retryable", "This item was never understood (see lastError); there is nothing to hand to a conversation.")
        case "not_parked":
          return jsonError(c, 404, "not_parked", `No parked event ${seq}.`)
      }
    })
}
