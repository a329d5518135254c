/**
 * A body-size limit that leaves the fast path open. Hono's `bodyLimit` opens the request body as
 * a web stream before it looks at the headers; on @hono/node-server that builds a web Request, an
 * AbortController and a ReadableStream for every request, even when Content-Length alone decides.
 * Here a body that declares its length (Content-Length, no Transfer-Encoding; Node's HTTP parser
 * never delivers more than it declares) is judged by that header, and the handler's
 * `c.req.arrayBuffer()` then reads it straight from Node's request. A body without a declared
 * length goes through Hono's `bodyLimit`, which refuses it while it streams in.
 */
import type { Context, MiddlewareHandler } from "hono"
import { bodyLimit } from "hono/body-limit"

export interface DeclaredBodyLimitOptions {
  readonly maxSize: number
  readonly onError: (c: Context) => Response | Promise<Response>
}

export function declaredBodyLimit(options: DeclaredBodyLimitOptions): MiddlewareHandler {
  const streaming = bodyLimit({ maxSize: options.maxSize, onError: options.onError })
  return async function declaredBodyLimit(c, next) {
    const declared = c.req.header("content-length")
    if (declared === undefined || c.req.header("transfer-encoding") !== undefined) return streaming(c, next)
    const length = Number(declared)
    if (!Number.isSafeInteger(length) || length < 0 || length > options.maxSize) return options.onError(c)
    await next()
  }
}
