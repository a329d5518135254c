/** `linkProtection`: what happens to links in residents' messages. */
import { Schema } from "effect"
import { Domain } from "./checks.ts"

export const LinkProtection = Schema.Struct({
  mode: Schema.Literals(["off", "flag", "neutralize"]).annotate({ description: "off; flag (link:allowed / link:unknown / link:blocked); neutralize (flag and make links unclickable for agents)." }),
  allowDomains: Schema.Array(Domain),
  blockDomains: Schema.Array(Domain)
})
export type LinkProtection = typeof LinkProtection.Type

export const defaultLinkProtection = (): LinkProtection => ({ mode: "flag", allowDomains: [], blockDomains: [] })
