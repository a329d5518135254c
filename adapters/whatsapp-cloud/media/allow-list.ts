/**
 * Which media download URLs Loket may fetch with the WhatsApp bearer token, and which media it accepts.
 *
 * The Graph API answers a media lookup with a short-lived `url`; Meta documents that URL on
 * `lookaside.fbsbx.com` (`https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=…`). The token
 * goes only to that host, to the host of GRAPH_API_URL (tests and proxies) and to the hosts an operator
 * adds with LOKET_MEDIA_HOSTS — never anywhere else, so a forged or odd lookup answer cannot leak it.
 */
import { lookup } from "node:dns/promises"
import { isIP } from "node:net"

/** Meta's documented media download host(s). Other Meta CDN hosts (e.g. *.fbcdn.net) are not documented for the Cloud API: add them with LOKET_MEDIA_HOSTS if Meta starts using them. */
export const META_MEDIA_HOSTS: ReadonlyArray<string> = ["lookaside.fbsbx.com"]

export interface MediaHostPolicy {
  /** The GRAPH_API_URL host (`hostname[:port]`): the only place plain http and private addresses are accepted. */
  readonly graphHost: string
  readonly graphHostname: string
  /** Lower-case host names (no port) the token may be sent to over https. */
  readonly hosts: ReadonlySet<string>
}

export type UrlCheck =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly reason: string }

/** The allow-list for one configuration: Meta's hosts, the Graph API host and the operator's extra hosts. */
export function mediaHostPolicy(graphApiUrl: string, extraHosts: ReadonlyArray<string> = []): MediaHostPolicy {
  const graph = new URL(graphApiUrl)
  const graphHostname = normalizeHostname(graph.hostname)
  const hosts = new Set<string>([...META_MEDIA_HOSTS, graphHostname, ...extraHosts.map(normalizeHostname)].filter((h) => h.length > 0))
  return { graphHost: graph.host.toLowerCase(), graphHostname, hosts }
}

/**
 * May Loket fetch `raw` with the bearer token? https only (plain http only for the GRAPH_API_URL host itself),
 * no credentials in the URL, a host on the allow-list, and no private/loopback/link-local IP literal unless it
 * is exactly the GRAPH_API_URL host. The reason never contains the URL's path or query (they may identify a resident).
 */
export function checkMediaUrl(raw: string, policy: MediaHostPolicy): UrlCheck {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, reason: "the media URL is not a valid URL" }
  }
  const hostname = normalizeHostname(url.hostname)
  const isGraphHost = isGraphApiHost(url, policy)
  if (url.protocol !== "https:" && !(url.protocol === "http:" && url.host.toLowerCase() === policy.graphHost)) {
    return { ok: false, reason: `the media URL uses ${url.protocol.replace(/:$/, "")} instead of https` }
  }
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "the media URL carries credentials" }
  if (!policy.hosts.has(hostname)) return { ok: false, reason: `the media host ${hostname} is not on the allow-list (LOKET_MEDIA_HOSTS)` }
  if (isPrivateAddress(hostname) && !isGraphHost) {
    return { ok: false, reason: `the media host ${hostname} is a private or loopback address` }
  }
  return { ok: true, url }
}

/** The addresses a host name resolves to (the system resolver by default; tests bring their own). */
export type ResolveHost = (hostname: string) => Promise<ReadonlyArray<string>>

export const systemResolver: ResolveHost = async (hostname) => (await lookup(hostname, { all: true })).map((a) => a.address)

/**
 * The second half of the check, for a URL `checkMediaUrl` allowed: a host name (not the GRAPH_API_URL
 * host, not an IP literal) must not resolve to a private, loopback or link-local address, so an
 * allowed name that points inward (an operator's host, or a DNS answer gone wrong) never gets the
 * token. Checked when the download starts; the connection resolves the name again, so a DNS answer
 * that changes in between (rebinding) is not caught. Throws what `resolve` throws when the name does
 * not resolve.
 */
export async function checkResolvedHost(url: URL, policy: MediaHostPolicy, resolve: ResolveHost): Promise<UrlCheck> {
  const hostname = normalizeHostname(url.hostname)
  if (isGraphApiHost(url, policy) || isIP(hostname) !== 0) return { ok: true, url }
  const addresses = await resolve(hostname)
  if (addresses.length === 0) return { ok: false, reason: `the media host ${hostname} resolves to no address` }
  if (addresses.some(isPrivateAddress)) return { ok: false, reason: `the media host ${hostname} resolves to a private or loopback address` }
  return { ok: true, url }
}

/** Whether `url` points at the GRAPH_API_URL host (tests and proxies: plain http and private addresses allowed). */
function isGraphApiHost(url: URL, policy: MediaHostPolicy): boolean {
  return url.host.toLowerCase() === policy.graphHost || normalizeHostname(url.hostname) === policy.graphHostname
}

/** Lower case, without IPv6 brackets or a trailing dot. */
export function normalizeHostname(hostname: string): string {
  return hostname.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "")
}

/** True for IP literals in loopback, private, link-local, CGNAT, unspecified or multicast ranges (IPv4, IPv6, IPv4-mapped IPv6). */
export function isPrivateAddress(hostname: string): boolean {
  const host = normalizeHostname(hostname)
  const version = isIP(host)
  if (version === 4) return isPrivateIPv4(host)
  if (version === 6) return isPrivateIPv6(host)
  return false
}

function isPrivateIPv4(address: string): boolean {
  const [a = 0, b = 0] = address.split(".").map(Number)
  return a === 0 || a === 10 || a === 127 || a >= 224 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
}

function isPrivateIPv6(address: string): boolean {
  const groups = expandIPv6(address)
  if (groups === undefined) return true
  const [g0 = 0] = groups
  if (groups.every((g) => g === 0)) return true // ::
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return true // ::1
  if (groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0xffff || groups[5] === 0)) {
    // IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible
    const v4 = `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`
    return isPrivateIPv4(v4)
  }
  return (g0 & 0xfe00) === 0xfc00 || // fc00::/7 unique local
    (g0 & 0xffc0) === 0xfe80 || // fe80::/10 link-local
    (g0 & 0xffc0) === 0xfec0 || // fec0::/10 site-local (deprecated)
    (g0 & 0xff00) === 0xff00 // multicast
}

/** Eight 16-bit groups, or undefined when it cannot be parsed. */
function expandIPv6(address: string): Array<number> | undefined {
  let text = address.replace(/%.*$/, "")
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4) {
    const parts = v4[1]!.split(".").map(Number)
    text = text.slice(0, -v4[1]!.length) + `${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`
  }
  const [head = "", tail] = text.split("::")
  const left = head === "" ? [] : head.split(":")
  const right = tail === undefined || tail === "" ? [] : tail.split(":")
  const missing = 8 - left.length - right.length
  if (tail === undefined ? missing !== 0 : missing < 0) return undefined
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right].map((g) => parseInt(g, 16))
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined
}

/** What kind of WhatsApp media a MIME type is; decides the size limit and inline vs attachment. */
export type MediaKind = "image" | "sticker" | "audio" | "video" | "document"

const MiB = 1024 * 1024

/** WhatsApp's limits per kind (Meta states them in MB; MiB is the lenient reading). */
export const MEDIA_SIZE_LIMITS: Readonly<Record<MediaKind, number>> = {
  image: 5 * MiB,
  sticker: 500 * 1024,
  audio: 16 * MiB,
  video: 16 * MiB,
  document: 100 * MiB
}

/** No media Loket handles is larger than this, whatever the type. */
export const MAX_MEDIA_BYTES = 100 * MiB

const DOCUMENT_TYPES: ReadonlySet<string> = new Set([
  "application/pdf",
  "text/plain",
  "text/csv",
  "application/rtf",
  "application/msword",
  "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
  "application/vnd.oasis.opendocument.presentation"
])

/** Types that a browser would run or render as active content: refused even under an allowed prefix. */
const ACTIVE_TYPES: ReadonlySet<string> = new Set(["image/svg+xml", "text/html", "application/xhtml+xml", "application/javascript", "text/javascript", "application/xml", "text/xml"])

/** `image/jpeg; charset=x` → `image/jpeg` (lower case). */
export function baseMimeType(mimeType: string): string {
  return mimeType.split(";")[0]!.trim().toLowerCase()
}

/** The kind of an allowed MIME type, or undefined when Loket refuses to serve it. */
export function mediaKind(mimeType: string): MediaKind | undefined {
  const base = baseMimeType(mimeType)
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(base)) return undefined
  if (ACTIVE_TYPES.has(base) || base.endsWith("+xml")) return undefined
  if (base === "image/webp") return "sticker"
  if (base.startsWith("image/")) return "image"
  if (base.startsWith("audio/")) return "audio"
  if (base.startsWith("video/")) return "video"
  if (DOCUMENT_TYPES.has(base)) return "document"
  return undefined
}

/** The byte limit for an allowed MIME type. */
export function sizeLimit(mimeType: string): number {
  const kind = mediaKind(mimeType)
  return Math.min(kind === undefined ? 0 : MEDIA_SIZE_LIMITS[kind], MAX_MEDIA_BYTES)
}
