import { Schema } from "effect"

export class DatabaseUnavailable extends Schema.TaggedError<DatabaseUnavailable>()("DatabaseUnavailable", {
  message: Schema.String,
  /** Cluster mode: refused because a newer owner of the partition has written (see CurrentFence). */
  fenced: Schema.optionalKey(Schema.Boolean)
}) {}
