/** `outboundPolicy`: agents' messages checked against WhatsApp's Business Messaging Policy (gambling, adult content, political promotion). */
import { Schema } from "effect"

const Terms = Schema.Array(Schema.String.check(Schema.makeFilter((s: string) =>
  s.trim().length === 0 ? "expected a word or phrase, got an empty one" : s.length > 100 ? "expected at most 100 characters" : undefined
)))

export const OutboundPolicy = Schema.Struct({
  mode: Schema.Literals(["warn", "block"]).annotate({
    description: "warn: a hit is a warning on the 202 answer, audited, and the message is sent; block: the message is refused (422 outbound_policy)."
  }),
  extraTerms: Schema.Struct({
    gambling: Schema.optionalKey(Terms),
    adult: Schema.optionalKey(Terms),
    political: Schema.optionalKey(Terms)
  }).annotate({ description: "Words and phrases checked beside Loket's own lists, per category; whole words, case and accents ignored." })
})
export type OutboundPolicy = typeof OutboundPolicy.Type

export const defaultOutboundPolicy = (): OutboundPolicy => ({ mode: "warn", extraTerms: {} })
