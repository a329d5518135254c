/**
 * Every body the agent API reads has a size limit, chosen here in one table so a new route
 * cannot forget it: a route not named below gets the default. The body is refused with 413
 * by its Content-Length before anything reads it, or while it streams in when it has none
 * (see ../body-limit), and before the route looks anything up.
 */
import type { MiddlewareHandler } from "hono"
import { declaredBodyLimit } from "../body-limit/index.ts"
import { jsonError } from "../errors.ts"

export interface BodyLimitRule {
  /** Matched against the path below the API's mount point, e.g. `/settings`. */
  readonly path: RegExp
  readonly maxBytes: number
  /** What the body is, for the error message: "A reply", "Settings". */
  readonly what: string
  /** How to get under the limit. */
  readonly fix?: string
}

export const KiB = 1024
export const MiB = 1024 * KiB

export const formatBytes = (bytes: number) =>
  bytes >= MiB && bytes % MiB === 0 ? `${bytes / MiB} MiB` : bytes >= KiB && bytes % KiB === 0 ? `${bytes / KiB} KiB` : `${bytes} bytes`

export function apiBodyLimits(rules: ReadonlyArray<BodyLimitRule>, fallback: Omit<BodyLimitRule, "path">): MiddlewareHandler {
  const limiters = [...rules, { ...fallback, path: /^/ }].map((rule) => ({
    path: rule.path,
    limit: declaredBodyLimit({
      maxSize: rule.maxBytes,
      onError: (c) =>
        jsonError(c, 413, "payload_too_large",
          `${rule.what} is limited to ${formatBytes(rule.maxBytes)} (${rule.maxBytes} bytes)${rule.fix === undefined ? "" : `: ${rule.fix}`}.`)
    })
  }))
  return async function apiBodyLimits(c, next) {
    if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return next()
    const path = c.req.path.replace(/^\/api\/v1/, "")
    const limiter = limiters.find((l) => l.path.test(path))!
    return limiter.limit(c, next)
  }
}
