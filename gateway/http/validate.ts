/**
 * Decodes request input with an Effect Schema (the same schemas the OpenAPI document is
 * generated from) and turns failures into `details: [{ path, message }]`.
 */
import { Result, Schema, SchemaIssue } from "effect"
import type { ErrorDetail } from "./errors.ts"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

export type Decoded<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly details: Array<ErrorDetail> }

export function decodeWith<S extends Schema.Decoder<unknown>>(schema: S) {
  const decode = Schema.decodeUnknownResult(schema as any, { errors: "all" } as any)
  return (input: unknown): Decoded<S["Type"]> => {
    const result = decode(input) as Result.Result<S["Type"], Schema.SchemaError>
    if (Result.isSuccess(result)) return { ok: true, value: result.success }
    const { issues } = formatter(result.failure.issue)
    return {
      ok: false,
      details: issues.map((issue) => ({
        path: issue.path?.map((p) => (typeof p === "object" && p !== null ? String((p as { key: PropertyKey }).key) : String(p))).join(".") ?? "",
        message: issue.message
      }))
    }
  }
}
