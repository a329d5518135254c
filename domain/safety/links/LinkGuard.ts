/**
 * Links in what residents write, found and classified as pure functions.
 * - Found by linkify-it with the full TLD list (schemes, bare domains such as `denhaag.nl/afval`,
 *   IPv4 and IPv6 hosts, international names), plus the TLDs of the configured domains; a
 *   block-listed host whose TLD no finder knows is found by name.
 * - Classified: `allowed` (the municipality's own domains and their subdomains), `blocked` (the
 *   block list, and look-alikes of an allowed domain: confusable characters, accents, punycode,
 *   the allowed name inside another domain such as `denhaag.nl.evil.example` or `denhaag.nl-login.com`,
 *   the allowed name under another public suffix such as `denhaag.com`), else `unknown`.
 * - `defang` renders a text with its links made unclickable: `hxxps://example[.]com`.
 */
import type { LinkifyIt } from "linkify-it"
import { parse } from "tldts"
import { linkFinderWith } from "../linkify.ts"
import { asciiHost, skeleton, unicodeHost } from "./look-alike.ts"

export type LinkVerdict = "allowed" | "unknown" | "blocked"

export interface LinkPolicy {
  /** The municipality's own domains: each and its subdomains are `allowed`. */
  readonly allowDomains: ReadonlyArray<string>
  /** Blocked domains (and their subdomains) and IP addresses. */
  readonly blockDomains: ReadonlyArray<string>
}

export interface LinkFinding {
  readonly start: number
  readonly end: number
  /** The host name (or IP address) as written, lower case. */
  readonly host: string
  readonly verdict: LinkVerdict
  /** Why a link is blocked: `block-list`, `look-alike`, `allowed-name-inside`, `other-suffix`. */
  readonly reason?: "block-list" | "look-alike" | "allowed-name-inside" | "other-suffix"
  /** A well-known URL shortener: where it leads cannot be seen. */
  readonly shortener?: boolean
}

/** The contract flag of a verdict. */
export const linkFlag = (verdict: LinkVerdict): string => `link:${verdict}`

const SHORTENERS = new Set([
  "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly", "shorturl.at",
  "tiny.cc", "s.id", "t.ly", "rb.gy", "bl.ink", "lnkd.in", "surl.li", "v.gd", "shorturl.com", "tiny.one"
])

/** A link needs a dot between two letters or digits, or a scheme: most messages are ruled out here. */
const MAY_HOLD_LINK = /[\p{L}\p{N}]\.[\p{L}\p{N}]|:\/\//u

/** Every link in `text`, in text order. */
export function findLinks(text: string, policy: LinkPolicy): ReadonlyArray<LinkFinding> {
  const found: Array<LinkFinding> = []
  const { finder } = compile(policy)
  if (MAY_HOLD_LINK.test(text)) {
    for (const m of finder.match(text) ?? []) {
      if (m.schema === "mailto:") continue
      // The domain of an e-mail address is no link ("jan@denhaag.nl").
      if (text[m.index - 1] === "@" || /[\p{L}\p{N}._%+-]@$/u.test(text.slice(Math.max(0, m.index - 1), m.index + 1))) continue
      const host = hostOf(m.url)
      if (host === "") continue
      found.push({ start: m.index, end: m.lastIndex, host, ...classifyHost(host, policy) })
    }
  }
  for (const f of findNamedHosts(text, policy)) if (!found.some((g) => f.start < g.end && g.start < f.end)) found.push(f)
  return found.sort((a, b) => a.start - b.start)
}

/** The contract flags of `findings` (`link:*`, each once). */
export function linkFlags(findings: ReadonlyArray<LinkFinding>): ReadonlyArray<string> {
  const verdicts = new Set(findings.map((f) => f.verdict))
  return (["allowed", "unknown", "blocked"] as const).filter((v) => verdicts.has(v)).map(linkFlag)
}

function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^/:?#]+)/i.exec(url) ?? /^\/\/(\[[^\]]+\]|[^/:?#]+)/.exec(url)
  return (m?.[1] ?? "").toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "")
}

const normalizeDomain = (d: string) => asciiHost(d.trim().replace(/^\*\./, "")).replace(/^\[|\]$/g, "")
const isSameOrSub = (host: string, domain: string) => domain !== "" && (host === domain || host.endsWith(`.${domain}`))

interface CompiledPolicy {
  readonly finder: LinkifyIt
  /** Configured names with a dot, lower case: looked for in the text even where no TLD list knows them. */
  readonly names: ReadonlyArray<string>
  readonly named: RegExp | null
  readonly blocks: ReadonlyArray<string>
  readonly allows: ReadonlyArray<{ readonly ascii: string; readonly skeleton: string; readonly inside: RegExp; readonly name: string | null }>
}
const compiledPolicies = new WeakMap<LinkPolicy, CompiledPolicy>()

function compile(policy: LinkPolicy): CompiledPolicy {
  let c = compiledPolicies.get(policy)
  if (c === undefined) {
    const names = [...policy.blockDomains, ...policy.allowDomains].map((d) => d.trim().toLowerCase().replace(/^\*\./, "")).filter((d) => d.includes("."))
    c = {
      finder: linkFinderWith([...policy.allowDomains, ...policy.blockDomains]),
      names,
      named: namedHostPattern(names),
      blocks: policy.blockDomains.map(normalizeDomain).filter((b) => b !== ""),
      allows: policy.allowDomains.map(normalizeDomain).filter((a) => a !== "").map((ascii) => {
        const sk = skeleton(ascii)
        const name = parse(unicodeHost(ascii)).domainWithoutSuffix
        return { ascii, skeleton: sk, inside: new RegExp(`(^|\\.)${escape(sk)}[.-]`), name: name === null || name === "" ? null : skeleton(name) }
      })
    }
    compiledPolicies.set(policy, c)
  }
  return c
}

/** How one host (a name or an IP address) is classified under `policy`. */
export function classifyHost(hostInput: string, policy: LinkPolicy): Pick<LinkFinding, "verdict" | "reason" | "shortener"> {
  const { blocks, allows } = compile(policy)
  const host = asciiHost(hostInput.replace(/^\[|\]$/g, ""))
  if (blocks.some((b) => isSameOrSub(host, b))) return { verdict: "blocked", reason: "block-list" }
  if (allows.some((a) => isSameOrSub(host, a.ascii))) return { verdict: "allowed" }
  const unicode = unicodeHost(host)
  const parsed = parse(unicode, { allowPrivateDomains: true })
  if (parsed.isIp === true) return { verdict: "unknown" }
  const hostSkeleton = skeleton(unicode)
  const nameSkeleton = parsed.domainWithoutSuffix === null ? null : skeleton(parsed.domainWithoutSuffix)
  for (const allowed of allows) {
    if (isSameOrSub(hostSkeleton, allowed.skeleton)) return { verdict: "blocked", reason: "look-alike" }
    if (allowed.inside.test(hostSkeleton)) return { verdict: "blocked", reason: "allowed-name-inside" }
    if (allowed.name !== null && nameSkeleton === allowed.name) return { verdict: "blocked", reason: "other-suffix" }
  }
  return parsed.domain !== null && SHORTENERS.has(asciiHost(parsed.domain)) ? { verdict: "unknown", shortener: true } : { verdict: "unknown" }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * Hosts no TLD list knows, found by name: a block-listed domain, or an allowed domain's name with
 * more labels after it (`denhaag.nl.evil.example`), wherever it stands in the text.
 */
function* findNamedHosts(text: string, policy: LinkPolicy): Iterable<LinkFinding> {
  const { names, named } = compile(policy)
  if (named === null) return
  const lower = text.toLowerCase()
  if (!names.some((n) => lower.includes(n))) return
  for (const m of text.matchAll(named)) {
    const host = m[1]!.toLowerCase()
    const c = classifyHost(host, policy)
    if (c.verdict === "blocked") yield { start: m.index, end: m.index + m[0].length, host, ...c }
  }
}

function namedHostPattern(names: ReadonlyArray<string>): RegExp | null {
  if (names.length === 0) return null
  const label = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?`
  return new RegExp(String.raw`(?<![\p{L}\p{N}.@-])(?:[a-z][a-z0-9+.-]*://)?((?:${label}\.)*(?:${names.map(escape).join("|")})(?:[.-]${label})*)(?:[/:?#][^\s]*)?`, "giu")
}

/** `text` with every link of `findings` that is not allowed made unclickable: `hxxps://example[.]com/pad`. */
export function defang(text: string, findings: ReadonlyArray<LinkFinding>): string {
  let out = ""
  let at = 0
  for (const f of findings) {
    if (f.verdict === "allowed" || f.start < at) continue
    out += text.slice(at, f.start) + defangLink(text.slice(f.start, f.end))
    at = f.end
  }
  return out + text.slice(at)
}

function defangLink(link: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(link)
  const rest = scheme === null ? link : link.slice(scheme[0].length)
  const hostEnd = rest.search(/[/?#]/)
  const host = hostEnd < 0 ? rest : rest.slice(0, hostEnd)
  const path = hostEnd < 0 ? "" : rest.slice(hostEnd)
  const defangedScheme = scheme === null ? "" : `${scheme[1]!.replace(/^http/i, "hxxp").replace(/^ftp/i, "fxp")}://`
  return defangedScheme + host.replace(/\./g, "[.]") + path
}
