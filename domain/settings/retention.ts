/** `retention`: how long residents' messages are kept. */
import { Schema } from "effect"

export const Retention = Schema.Struct({
  messagesDays: Schema.NullOr(Schema.Number.check(Schema.makeFilter((n: number) =>
    Number.isInteger(n) && n >= 1 && n <= 36_500 ? undefined : `expected a whole number of days from 1 to 36500, or null to keep messages, got ${n}`
  ))).annotate({ description: "Days messages are kept; null keeps them." })
})
export type Retention = typeof Retention.Type

export const defaultRetention = (): Retention => ({ messagesDays: null })
