/**
 * Everything Loket reads from NATS is decoded with a Schema first: a message that does not match
 * (another client's, a damaged or a forged one) is refused — not applied — and logged by the
 * paths that did not match, never by its content (it may hold residents' data).
 */
import { Effect, Result, Schema, SchemaIssue } from "effect"

export type Wire<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly paths: string }

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** The fields that did not match, e.g. `event.message.type, key` (`(root)` for the whole message). */
function failedPaths(issue: SchemaIssue.Issue): string {
  const paths = formatter(issue).issues.map((i) =>
    i.path === undefined || i.path.length === 0
      ? "(root)"
      : i.path.map((p) => (typeof p === "object" && p !== null ? String((p as { key: PropertyKey }).key) : String(p))).join(".")
  )
  return [...new Set(paths)].slice(0, 5).join(", ")
}

/** A decoder of JSON text (a NATS payload) into `schema`'s type. */
export function wireDecoder<S extends Schema.Decoder<unknown>>(schema: S) {
  const decode = Schema.decodeUnknownResult(Schema.fromJsonString(schema) as any, { errors: "all" } as any)
  return (text: string): Wire<S["Type"]> => {
    const result = decode(text) as Result.Result<S["Type"], Schema.SchemaError>
    return Result.isSuccess(result) ? { ok: true, value: result.success } : { ok: false, paths: failedPaths(result.failure.issue) }
  }
}

/** The log line of a refused message: what it was meant to be, where it came from, which fields failed. */
export const logRefused = (what: string, subject: string, paths: string, size: number) =>
  Effect.logWarning(`refused a ${what} from NATS on ${subject} (${size} bytes): it does not match Loket's format (failed: ${paths}); not applied`)
