/** Request schemas of the settings routes: they validate requests and feed the OpenAPI document. */
import { Schema } from "effect"

const Limit = Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 200 }))
  .annotate({ description: "Page size, 1 to 200 (default 50)." })

export const ListAuditQuery = Schema.Struct({
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Schema.String.annotate({ description: "The `nextCursor` of the previous page." }))
})

export const DEFAULT_AUDIT_LIMIT = 50

/** Bodies of PUT and PATCH: 256 KiB at most. */
export const SETTINGS_BODY_LIMIT = 256 * 1024
