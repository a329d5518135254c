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
import { isIP } from "node:net"
import { plainAddress, type TrustedProxy } from "../../config/trustedProxies.ts"

/** Whether an address lies in the trusted ranges. */
export type TrustCheck = (address: string) => boolean

/** An address as a number (IPv4: 32 bits, IPv6: 128), or undefined when it is none. */
function addressBits(address: string): { readonly bits: bigint; readonly width: 32 | 128 } | undefined {
  const version = isIP(address)
  if (version === 4) return { bits: address.split(".").reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n), width: 32 }
  if (version !== 6) return undefined
  let text = address.replace(/%.*$/, "")
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (tail !== null) {
    const v4 = addressBits(tail[1]!)!.bits
    text = `${text.slice(0, -tail[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const [head = "", rest] = text.split("::")
  const left = head === "" ? [] : head.split(":")
  const right = rest === undefined || rest === "" ? [] : rest.split(":")
  const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
  return { bits: groups.reduce((n, group) => (n << 16n) | BigInt(parseInt(group, 16)), 0n), width: 128 }
}

/**
 * Whether an address lies in the trusted ranges. Plain arithmetic on the address bits, not
 * node:net's BlockList: on Bun that class exists but never matches.
 */
export function trustCheck(proxies: ReadonlyArray<TrustedProxy>): TrustCheck {
  const ranges = proxies.flatMap((p) => {
    const at = addressBits(p.address)
    if (at === undefined) return []
    const shift = BigInt(at.width - p.prefix)
    return [{ width: at.width, shift, network: at.bits >> shift }]
  })
  return (address) => {
    const at = addressBits(plainAddress(address))
    return at !== undefined && ranges.some((r) => r.width === at.width && at.bits >> r.shift === r.network)
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
