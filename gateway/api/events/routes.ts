/**
 * `GET /api/v1/events`: Server-Sent Events of every change — `message.created`,
 * `message.updated`, `conversation.updated` — each `data:` the full resource as JSON.
 * A comment line every 15 s keeps proxies from closing an idle stream. When the gateway shuts
 * down, every stream ends (the agent's browser reconnects to another instance, or after the
 * restart, and reads what it missed from the API).
 */
import { Effect, Fiber, Stream } from "effect"
import { Hono } from "hono"
import { streamSSE } from "hono/streaming"
import { Events } from "../../../actors/Events.ts"
import type { Lifecycle } from "../../lifecycle.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"

const HEARTBEAT_MS = 15_000

export function eventRoutes(runtime: AppRuntime, lifecycle: Lifecycle) {
  return new Hono<AuthEnv>().get("/", function streamEvents(c) {
    return streamSSE(c, async function pumpEvents(stream) {
      const fiber = runtime.runFork(
        Effect.gen(function*() {
          const events = yield* Events
          yield* Stream.runForEach(events.subscribe, ({ id, event }) =>
            Effect.promise(() => stream.writeSSE({ id: String(id), event: event.type, data: JSON.stringify(event.data) })))
        })
      )
      const heartbeat = setInterval(() => void stream.write(": keep-alive\n\n"), HEARTBEAT_MS)
      let stopListening = () => {}
      await new Promise<void>((resolve) => {
        stream.onAbort(resolve)
        stopListening = lifecycle.onDrain(resolve)
      })
      stopListening()
      clearInterval(heartbeat)
      await runtime.runPromise(Fiber.interrupt(fiber))
    })
  })
}
