/**
 * One shape for every error the gateway answers: `{"error":{"code","message","details"?}}`.
 * Codes are snake_case and stable; messages are for a person and name the fix.
 */
import type { Context } from "hono"
import type { ContentfulStatusCode } from "hono/utils/http-status"

export interface ErrorDetail {
  readonly path: string
  readonly message: string
}

export function jsonError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: ReadonlyArray<ErrorDetail>
) {
  return c.json({ error: details === undefined ? { code, message } : { code, message, details } }, status)
}
