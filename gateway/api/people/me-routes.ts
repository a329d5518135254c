/** `GET /api/v1/me` (any role): who the caller is. */
import { Hono } from "hono"
import type { AuthEnv } from "../auth/index.ts"

export function meRoutes() {
  return new Hono<AuthEnv>().get("/", function whoAmI(c) {
    const { kind, id, name, role, teams } = c.get("principal")
    return c.json({ kind, id, name, role, teams })
  })
}
