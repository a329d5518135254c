/**
 * `Authorization: Bearer <token>` for the agent API. 401 with the contract's JSON error
 * without a valid token; the principal is set on the context for the handlers.
 */
import type { MiddlewareHandler } from "hono"
import { jsonError } from "../../http/errors.ts"
import type { Principal, Role } from "./ApiTokens.ts"

export type AuthEnv = { Variables: { principal: Principal } }

export function bearerAuth(verify: (token: string) => Principal | undefined | Promise<Principal | undefined>, role?: Role): MiddlewareHandler<AuthEnv> {
  return async function bearerAuth(c, next) {
    // An outer bearerAuth has looked the token up already (in this request): only the role is left to check.
    const known = c.get("principal") as Principal | undefined
    if (known !== undefined) {
      if (role === "admin" && known.role !== "admin") return jsonError(c, 403, "forbidden", "This needs an admin token; an agent-role token cannot manage tokens, agents, teams or settings.")
      return next()
    }
    const header = c.req.header("authorization")
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (match === null) {
      return jsonError(c, 401, "unauthorized", "Send 'Authorization: Bearer <token>' with a Loket API token.")
    }
    const principal = await verify(match[1]!)
    if (principal === undefined) return jsonError(c, 401, "unauthorized", "This API token is not valid.")
    if (role === "admin" && principal.role !== "admin") {
      return jsonError(c, 403, "forbidden", "This needs an admin token; an agent-role token cannot manage tokens, agents, teams or settings.")
    }
    c.set("principal", principal)
    await next()
  }
}
