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

export type Dialect = "SQLite" | "PostgreSQL"

/** SQLSTATE classes and the conditions an operator meets most, by PostgreSQL's own names. */
const PG_CONDITIONS: Record<string, string> = {
  "23505": "unique_violation", "23503": "foreign_key_violation", "23502": "not_null_violation", "23514": "check_violation",
  "22P02": "invalid_text_representation", "22001": "string_data_right_truncation", "22003": "numeric_value_out_of_range",
  "40001": "serialization_failure", "40P01": "deadlock_detected", "42P01": "undefined_table", "42703": "undefined_column",
  "53300": "too_many_connections", "57014": "query_canceled", "57P01": "admin_shutdown", "P0001": "raise_exception",
  "25P02": "in_failed_sql_transaction", "08006": "connection_failure", "08003": "connection_does_not_exist"
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.]*$/

/** `insert`, `select`, … and the table a statement names first, read from its text (values are never in it: they are bound). */
function statementOf(query: string): { kind: string; table: string | undefined } {
  const kind = /^\s*(\w+)/.exec(query)?.[1]?.toLowerCase() ?? "statement"
  const table = /\b(?:insert\s+into|update|delete\s+from|from)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/i.exec(query)?.[1]
  return { kind, table }
}

const field = (error: unknown, name: string): string | undefined => {
  const value = (error as Record<string, unknown> | null)?.[name]
  return typeof value === "string" && value.length > 0 ? value : undefined
}

/**
 * What an operator needs of a storage error, and nothing a resident wrote: drizzle's
 * "Failed query: … params: …" carries the bound values (phone numbers, names, message texts),
 * and PostgreSQL's messages and `detail` may quote them too ("Key (wa_id)=(316…) already
 * exists"). Kept: the statement kind and table, the SQLSTATE or SQLite code with its condition
 * name, and the schema names (constraint, column) the server reports. SQLite's own messages
 * name only schema objects (or a trigger's RAISE text), so they are kept.
 */
export function describeStorageError(dialect: Dialect, cause: unknown): string {
  const query = field(cause, "query")
  const inner = query !== undefined ? (cause as { cause?: unknown }).cause : cause
  const statement = query === undefined ? undefined : statementOf(query)
  const where = statement === undefined ? "" : ` ${statement.kind}${statement.table === undefined ? "" : ` on ${statement.table}`} failed:`
  if (dialect === "SQLite") {
    const code = field(inner, "code")
    const message = inner instanceof Error ? inner.message : String(inner)
    return `SQLite:${where} ${code === undefined ? "" : `${code} `}${message.split("\n")[0]!.replace(/\bparams:.*$/s, "")}`.trim()
  }
  const code = field(inner, "code")
  const names = (["table", "column", "constraint"] as const)
    .map((name) => [name, field(inner, name)] as const)
    .filter((entry): entry is readonly [typeof entry[0], string] => entry[1] !== undefined && IDENTIFIER.test(entry[1]))
    .map(([name, value]) => `${name} ${value}`)
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    return `PostgreSQL:${where} SQLSTATE ${code}${PG_CONDITIONS[code] === undefined ? "" : ` ${PG_CONDITIONS[code]}`}${names.length === 0 ? "" : ` (${names.join(", ")})`}`
  }
  // Not an error of the server's (connection refused, pool timeout): its message names hosts, not data.
  const message = inner instanceof Error ? inner.message : String(inner)
  return `PostgreSQL:${where} ${code === undefined ? "" : `${code} `}${statement === undefined ? message.replace(/\bparams:.*$/s, "") : "the query did not complete"}`.trim()
}

/** A storage error as the database layer hands it out: reduced by describeStorageError. */
export const storageUnavailable = (dialect: Dialect) => (cause: unknown): DatabaseUnavailable => {
  if (cause instanceof DatabaseUnavailable) return cause
  // PostgreSQL names the constraint a write broke (a schema name, never a value): callers answer 409 by it.
  const inner = field(cause, "query") === undefined ? cause : (cause as { cause?: unknown }).cause
  const constraint = field(inner, "constraint")
  return new DatabaseUnavailable({
    message: describeStorageError(dialect, cause),
    ...(constraint !== undefined && IDENTIFIER.test(constraint) ? { constraint } : {})
  })
}
