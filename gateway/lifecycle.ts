/**
 * The gateway's shutdown, as the contract has it (SIGTERM/SIGINT): stop accepting, end every
 * SSE stream, finish what is in flight, exit 0 within 10 s. The lifecycle is shared by the
 * server entry, which stops listening, and the routes: while it drains, long-lived streams are
 * ended and requests still arriving on open connections are answered 503 with
 * `Connection: close` (a webhook then comes again from Meta, to another instance or after
 * the restart).
 */
import type { MiddlewareHandler } from "hono"
import { jsonError } from "./http/errors.ts"

export interface Lifecycle {
  readonly draining: () => boolean
  /** Called once when draining starts; answers a function that removes the listener. */
  readonly onDrain: (listener: () => void) => () => void
  readonly drain: () => void
}

export function makeLifecycle(): Lifecycle {
  let draining = false
  const listeners = new Set<() => void>()
  return {
    draining: () => draining,
    onDrain(listener) {
      if (draining) {
        listener()
        return () => {}
      }
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    drain() {
      if (draining) return
      draining = true
      for (const listener of listeners) listener()
      listeners.clear()
    }
  }
}

/** Requests that arrive while the gateway drains: 503, and the connection is closed after it. */
export function refuseWhileDraining(lifecycle: Lifecycle): MiddlewareHandler {
  return async function refuseWhileDraining(c, next) {
    if (!lifecycle.draining()) return next()
    c.header("connection", "close")
    c.header("retry-after", "5")
    return jsonError(c, 503, "shutting_down", "This Loket instance is shutting down; try again in a moment.")
  }
}

/** The whole shutdown must end within this; the contract allows 10 s. */
export const SHUTDOWN_DEADLINE_MS = 9_000
