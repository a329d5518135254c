/**
 * `GET /console/events`: the console's live stream for htmx's SSE extension. It carries no
 * resident data, only names: `list` (some conversation changed: refresh the list) and
 * `c-<conversationId>` (refresh that conversation's messages); the page then fetches what
 * changed through the API, so the access rules apply to what is shown. The stream ends when the
 * session does (logout, deactivation: announced, on every instance in cluster mode; re-checked
 * every RECHECK_MS), and when the gateway drains.
 */
import { Effect, Fiber, Stream } from "effect"
import type { Context } from "hono"
import { streamSSE } from "hono/streaming"
import { ConsoleSessions } from "../../actors/console/ConsoleSessions.ts"
import { Events } from "../../actors/Events.ts"
import { credentialEnds } from "../../actors/people/TokenRevocations.ts"
import type { Lifecycle } from "../lifecycle.ts"
import type { AppRuntime } from "../Runtime.ts"
import type { ConsoleEnv } from "./session.ts"

const HEARTBEAT_MS = 15_000
const RECHECK_MS = 5_000

const sessionEnds = (sessionId: string) =>
  Effect.gen(function*() {
    const sessions = yield* ConsoleSessions
    yield* credentialEnds(sessionId, sessions.isActive(sessionId), RECHECK_MS)
  })

export function consoleEvents(runtime: AppRuntime, lifecycle: Lifecycle) {
  return function streamConsoleEvents(c: Context<ConsoleEnv>) {
    const sessionId = c.get("session").id
    c.header("cache-control", "no-store")
    return streamSSE(c, async function pumpConsoleEvents(stream) {
      let end!: () => void
      const ended = new Promise<void>((resolve) => (end = resolve))
      stream.onAbort(() => end())
      const fiber = runtime.runFork(
        Effect.gen(function*() {
          const events = yield* Events
          yield* Stream.runForEach(events.subscribe, ({ event }) =>
            Effect.promise(async () => {
              const data = event.data as { id?: string; conversationId?: string }
              const conversationId = (event.type as string).startsWith("message.") || (event.type as string) === "note.created" ? data.conversationId : event.type.startsWith("conversation.") ? data.id : undefined
              if (conversationId === undefined) return
              await stream.writeSSE({ event: `c-${conversationId}`, data: "1" })
              await stream.writeSSE({ event: "list", data: "1" })
            }))
        })
      )
      const watch = runtime.runFork(sessionEnds(sessionId).pipe(Effect.tap(() => Effect.sync(end))))
      const heartbeat = setInterval(() => void stream.write(": keep-alive\n\n"), HEARTBEAT_MS)
      const stopListening = lifecycle.onDrain(() => end())
      await ended
      stopListening()
      clearInterval(heartbeat)
      await runtime.runPromise(Effect.all([Fiber.interrupt(fiber), Fiber.interrupt(watch)]))
    })
  }
}
