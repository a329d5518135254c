/**
 * `LOKET_TRUSTED_PROXIES`: the reverse proxies (addresses or CIDR ranges, comma-separated) whose
 * `X-Forwarded-For` the console believes for the client's address (the sign-in throttle counts
 * per address). Empty by default: the header is then never read.
 */
import { isIP } from "node:net"

export interface TrustedProxy {
  readonly address: string
  readonly prefix: number
  readonly family: "ipv4" | "ipv6"
}

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`, as a dual-stack socket reports it) as plain IPv4. */
export const plainAddress = (address: string) => {
  const bare = address.trim().replace(/^\[|\]$/g, "")
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)
  return mapped === null ? bare : mapped[1]!
}

/** One entry: `10.0.0.0/8`, `192.0.2.7`, `fd00::/8`, `::1`; a problem naming the entry and the fix. */
export function parseTrustedProxy(entry: string): TrustedProxy | string {
  const [raw, prefixText, ...rest] = entry.trim().split("/")
  const address = plainAddress(raw ?? "")
  const version = isIP(address)
  const max = version === 6 ? 128 : 32
  if (version === 0 || rest.length > 0) return `expected an IP address or a CIDR range such as 10.0.0.0/8 or fd00::/8, got ${JSON.stringify(entry.trim())}`
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN
  if (!(prefix >= 0 && prefix <= max)) return `the prefix length of ${JSON.stringify(entry.trim())} must be 0 to ${max}`
  return { address, prefix, family: version === 6 ? "ipv6" : "ipv4" }
}

/** The whole list; the first bad entry is the error. */
export function parseTrustedProxies(text: string): ReadonlyArray<TrustedProxy> | string {
  const entries = text.split(",").map((e) => e.trim()).filter((e) => e.length > 0)
  const parsed = entries.map(parseTrustedProxy)
  const problem = parsed.find((p): p is string => typeof p === "string")
  return problem ?? (parsed as Array<TrustedProxy>)
}
