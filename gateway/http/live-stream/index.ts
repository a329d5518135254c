/**
 * What the API's and the console's Server-Sent Events streams share: `pump` writes events until the
 * client leaves, `ends` completes (its token or session is no longer good) or the gateway drains;
 * a comment line every HEARTBEAT_MS keeps proxies from closing an idle stream. Both fibers are
 * interrupted before this returns.
 */
import { Effect, Fiber } from "effect"
import type { SSEStreamingApi } from "hono/streaming"
import type { Lifecycle } from "../../lifecycle.ts"
import type { AppRuntime, AppServices } from "../../Runtime.ts"

const HEARTBEAT_MS = 15_000

export async function runLiveStream(
  runtime: AppRuntime,
  lifecycle: Lifecycle,
  stream: SSEStreamingApi,
  pump: Effect.Effect<void, unknown, AppServices>,
  ends: Effect.Effect<void, unknown, AppServices>
): Promise<void> {
  let end!: () => void
  const ended = new Promise<void>((resolve) => (end = resolve))
  stream.onAbort(() => end())
  const fiber = runtime.runFork(pump)
  const watch = runtime.runFork(ends.pipe(Effect.tap(() => Effect.sync(end))))
  const heartbeat = setInterval(() => void stream.write(": keep-alive\n\n"), HEARTBEAT_MS)
  const stopListening = lifecycle.onDrain(() => end())
  await ended
  stopListening()
  clearInterval(heartbeat)
  await runtime.runPromise(Effect.all([Fiber.interrupt(fiber), Fiber.interrupt(watch)]))
}
