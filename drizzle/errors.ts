import { Schema } from "effect"

export class DatabaseUnavailable extends Schema.TaggedError<DatabaseUnavailable>()("DatabaseUnavailable", {
  message: Schema.String,
  /** Cluster mode: refused because a newer owner of the partition has written (see CurrentFence). */
  fenced: Schema.optionalKey(Schema.Boolean),
  /**
   * SQLite: the transaction was committed, but flushing it to disk failed: it is in the
   * database, not known to be durable (a later successful flush makes it so).
   */
  committedNotFlushed: Schema.optionalKey(Schema.Boolean),
  /** PostgreSQL: the constraint a write broke (e.g. `agents_email_unique`), so a caller can answer 409. */
  constraint: Schema.optionalKey(Schema.String)
}) {}
