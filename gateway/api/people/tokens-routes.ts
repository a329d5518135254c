/** `POST/GET /api/v1/tokens`, `DELETE /api/v1/tokens/:id` (admin): the secret is answered once, at creation, and never listed. */
import { Hono } from "hono"
import { decodeWith } from "../../http/validate.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"
import { createToken, listTokens, revokeToken } from "./actions.ts"
import { limitPeopleBody, readBody } from "./body.ts"
import { answer } from "./errors.ts"
import { CreateTokenBody } from "./schemas.ts"

const decodeCreate = decodeWith(CreateTokenBody)

export function tokenRoutes(runtime: AppRuntime) {
  return new Hono<AuthEnv>()
    .post("/", limitPeopleBody, async function createTokenRoute(c) {
      const body = await readBody(c, decodeCreate)
      if (!body.ok) return body.response
      return answer(c, runtime, createToken(c.get("principal"), body.value), (token) => c.json(token, 201))
    })
    .get("/", async function listTokensRoute(c) {
      return answer(c, runtime, listTokens, (items) => c.json({ items }))
    })
    .delete("/:id", async function revokeTokenRoute(c) {
      return answer(c, runtime, revokeToken(c.get("principal"), c.req.param("id")), () => c.body(null, 204))
    })
}
