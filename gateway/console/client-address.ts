/**
 * The address a request came from, for the sign-in throttle: Hono's connection info of the
 * runtime serving it (@hono/node-server's getConnInfo on Node; on Bun the server's requestIP,
 * which is all hono/bun's getConnInfo reads — that module cannot load under Node), "unknown" when
 * neither answers (in-process requests). Behind a reverse proxy this is the proxy's address.
 */
import { getConnInfo as nodeConnInfo } from "@hono/node-server/conninfo"
import type { Context } from "hono"

export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: unknown; requestIP?: unknown } | undefined
  try {
    if (env?.incoming !== undefined) return nodeConnInfo(c).remote.address ?? "unknown"
    if (typeof env?.requestIP === "function") return (env.requestIP as (r: Request) => { address?: string } | null)(c.req.raw)?.address ?? "unknown"
  } catch {
    // A closed socket has no address: count it with the unknown ones.
  }
  return "unknown"
}
