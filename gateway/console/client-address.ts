/**
 * The address a request came from, for the sign-in throttle: Hono's connection info of the
 * runtime serving it (@hono/node-server's getConnInfo on Node; on Bun the server's requestIP,
 * which is all hono/bun's getConnInfo reads — that module cannot load under Node), "unknown" when
 * neither answers (in-process requests).
 *
 * Behind a reverse proxy every request comes from the proxy. When the connection comes from an
 * address in `LOKET_TRUSTED_PROXIES`, `X-Forwarded-For` is read from the right: each trusted hop
 * is skipped and the first address that is not trusted is the client (what a client writes in
 * the header itself sits further left and is never reached). A connection from anywhere else is
 * the client, whatever its headers say.
 */
import { getConnInfo as nodeConnInfo } from "@hono/node-server/conninfo"
import type { Context } from "hono"
import { BlockList, isIP } from "node:net"
import { plainAddress, type TrustedProxy } from "../../config/trustedProxies.ts"

/** Whether an address lies in the trusted ranges. */
export type TrustCheck = (address: string) => boolean

export function trustCheck(proxies: ReadonlyArray<TrustedProxy>): TrustCheck {
  if (proxies.length === 0) return () => false
  const list = new BlockList()
  for (const p of proxies) list.addSubnet(p.address, p.prefix, p.family)
  return (address) => {
    const plain = plainAddress(address)
    const version = isIP(plain)
    return version !== 0 && list.check(plain, version === 6 ? "ipv6" : "ipv4")
  }
}

function peerAddress(c: Context): string {
  const env = c.env as { incoming?: unknown; requestIP?: unknown } | undefined
  try {
    if (env?.incoming !== undefined) return nodeConnInfo(c).remote.address ?? "unknown"
    if (typeof env?.requestIP === "function") return (env.requestIP as (r: Request) => { address?: string } | null)(c.req.raw)?.address ?? "unknown"
  } catch {
    // A closed socket has no address: count it with the unknown ones.
  }
  return "unknown"
}

/** The client's address given the connection's peer and the X-Forwarded-For header (pure; tested alone). */
export function addressBehindProxies(peer: string, forwardedFor: string | undefined, trusted: TrustCheck): string {
  let client = plainAddress(peer)
  if (!trusted(client) || forwardedFor === undefined) return client
  const hops = forwardedFor.split(",").map((hop) => plainAddress(hop)).filter((hop) => hop.length > 0)
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!
    // A hop that is no address was not written by a trusted proxy: stop at the last one that was.
    if (isIP(hop) === 0) return client
    client = hop
    if (!trusted(hop)) return hop
  }
  return client
}

export function clientAddress(c: Context, trusted: TrustCheck = () => false): string {
  return addressBehindProxies(peerAddress(c), c.req.header("x-forwarded-for"), trusted)
}
