/** `linkProtection`: what happens to links in residents' messages. */
import { Schema } from "effect"
import { isIP } from "node:net"
import { Domain } from "./checks.ts"

/** A blocked host: a domain (its subdomains too), or an IPv4 or IPv6 address. */
const BlockedHost = Schema.String.check(Schema.makeFilter((s: string) =>
  isIP(s.replace(/^\[|\]$/g, "")) !== 0 || /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i.test(s)
    ? undefined
    : `expected a domain such as evil.example or an IP address (no https://, no path), got ${JSON.stringify(s)}`
))

export const LinkProtection = Schema.Struct({
  mode: Schema.Literals(["off", "flag", "neutralize"]).annotate({ description: "off; flag (link:allowed / link:unknown / link:blocked); neutralize (flag and make links unclickable for agents)." }),
  allowDomains: Schema.Array(Domain),
  blockDomains: Schema.Array(BlockedHost).annotate({ description: "Blocked domains (and their subdomains) and IP addresses." })
})
export type LinkProtection = typeof LinkProtection.Type

export const defaultLinkProtection = (): LinkProtection => ({ mode: "flag", allowDomains: [], blockDomains: [] })
