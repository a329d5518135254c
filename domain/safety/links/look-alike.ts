/**
 * Look-alike host names: what a host name looks like to a person. The skeleton maps Unicode
 * confusables to their Latin look-alike (the `confusables` package: Cyrillic а, Greek ο, …),
 * strips accents (dènhaag → denhaag) and decodes punycode first (xn--dnhaag-6ua.nl → dènhaag.nl).
 */
import { remove as removeConfusables } from "confusables"
import { domainToASCII, domainToUnicode } from "node:url"

/** The host as a person reads it: lower case, punycode decoded, no trailing dot. */
export function unicodeHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, "")
  if (!h.includes("xn--")) return h
  const u = domainToUnicode(h)
  return u === "" ? h : u
}

/** The host as DNS has it (punycode for international names); "" when it is no valid host name. */
export function asciiHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, "")
  return /^[\x21-\x7e]*$/.test(h) ? h : domainToASCII(h)
}

/** What the host looks like: confusables mapped to Latin letters, accents stripped, lower case. */
export function skeleton(host: string): string {
  const decomposed = unicodeHost(host).normalize("NFKD").replace(/\p{M}/gu, "")
  return removeConfusables(decomposed).toLowerCase()
}
