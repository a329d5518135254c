/**
 * `GET /api/v1/events`: Server-Sent Events of every change — `message.created`,
 * `message.updated`, `conversation.updated` — each `data:` the full resource as JSON.
 * A comment line every 15 s keeps proxies from closing an idle stream. When the gateway shuts
 * down, every stream ends (the agent's browser reconnects to another instance, or after the
 * restart, and reads what it missed from the API).
 *
 * The stream lives only as long as its token: it ends at once when the token is revoked or its
 * agent deactivated (announced by TokenRevocations, over NATS in cluster mode), and the token is
 * re-checked every RECHECK_MS in case an announcement was lost.
 */
import { Effect, Fiber, Schedule, Stream } from "effect"
import { Hono } from "hono"
import { streamSSE } from "hono/streaming"
import { Events } from "../../../actors/Events.ts"
import { ApiTokens } from "../../../actors/people/ApiTokens.ts"
import { TokenRevocations } from "../../../actors/people/TokenRevocations.ts"
import type { Lifecycle } from "../../lifecycle.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"

const HEARTBEAT_MS = 15_000
const RECHECK_MS = 5_000

/** Completes when `tokenId` is no longer good: announced revoked, or found so by a re-check. */
const tokenEnds = (tokenId: string) =>
  Effect.gen(function*() {
    const revocations = yield* TokenRevocations
    const tokens = yield* ApiTokens
    const announced = revocations.revoked.pipe(Stream.filter((id) => id === tokenId), Stream.take(1), Stream.runDrain)
    // A database hiccup does not end the stream; only a definite "not active" does.
    const rechecked = tokens.isActive(tokenId).pipe(
      Effect.orElseSucceed(() => true),
      Effect.repeat({ schedule: Schedule.spaced(RECHECK_MS), until: (active) => !active }),
      Effect.asVoid
    )
    yield* Effect.raceFirst(announced, rechecked)
  })

export function eventRoutes(runtime: AppRuntime, lifecycle: Lifecycle) {
  return new Hono<AuthEnv>().get("/", function streamEvents(c) {
    const { tokenId } = c.get("principal")
    return streamSSE(c, async function pumpEvents(stream) {
      let end!: () => void
      const ended = new Promise<void>((resolve) => (end = resolve))
      stream.onAbort(() => end())
      const fiber = runtime.runFork(
        Effect.gen(function*() {
          const events = yield* Events
          yield* Stream.runForEach(events.subscribe, ({ id, event }) =>
            Effect.promise(() => stream.writeSSE({ id: String(id), event: event.type, data: JSON.stringify(event.data) })))
        })
      )
      const watch = runtime.runFork(tokenEnds(tokenId).pipe(Effect.tap(() => Effect.sync(end))))
      const heartbeat = setInterval(() => void stream.write(": keep-alive\n\n"), HEARTBEAT_MS)
      const stopListening = lifecycle.onDrain(() => end())
      await ended
      stopListening()
      clearInterval(heartbeat)
      await runtime.runPromise(Effect.all([Fiber.interrupt(fiber), Fiber.interrupt(watch)]))
      if (!stream.aborted) await stream.write(": token revoked\n\n").catch(() => undefined)
    })
  })
}
