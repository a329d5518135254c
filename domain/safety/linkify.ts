/**
 * linkify-it with the full IANA TLD list (the `tlds` package): the one URL and e-mail finder
 * the safety modules share. `withExtraTlds` adds the TLDs of configured domains (a block-listed
 * `evil.example` is found although `.example` is no delegated TLD).
 */
import { LinkifyIt } from "linkify-it"
import { createRequire } from "node:module"

/** The IANA TLD list (`tlds` is a JSON package: required, so tsx, the production bundle and Bun all load it the same way). */
const tlds: ReadonlyArray<string> = createRequire(import.meta.url)("tlds")

const base = (): LinkifyIt => new LinkifyIt({ fuzzyLink: true, fuzzyIP: true, fuzzyEmail: false }).tlds([...tlds])

/** Finds links (with and without scheme, IPv4 and IPv6 hosts), not e-mail addresses. */
export const linkFinder: LinkifyIt = base()

/** Finds e-mail addresses (with or without `mailto:`), not links. */
export const emailFinder: LinkifyIt = new LinkifyIt({ fuzzyLink: false, fuzzyIP: false, fuzzyEmail: true })
  .tlds([...tlds])
  .add("http:", null).add("https:", null).add("ftp:", null).add("//", null)

const cache = new Map<string, LinkifyIt>()

/** A link finder that also knows the TLDs of `domains` (cached per list). */
export function linkFinderWith(domains: ReadonlyArray<string>): LinkifyIt {
  const extra = [...new Set(domains.map((d) => d.toLowerCase().replace(/\.$/, "").split(".").pop() ?? "").filter((t) => t !== "" && !tlds.includes(t)))].sort()
  if (extra.length === 0) return linkFinder
  const key = extra.join(",")
  let finder = cache.get(key)
  if (finder === undefined) {
    finder = base().tlds(extra, true)
    if (cache.size > 32) cache.clear()
    cache.set(key, finder)
  }
  return finder
}
