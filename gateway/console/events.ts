/**
 * `GET /console/events`: the console's live stream for htmx's SSE extension. It carries no
 * resident data, only names: `list` (some conversation changed: refresh the list) and
 * `c-<conversationId>` (refresh that conversation's messages); the page then fetches what
 * changed through the API, so the access rules apply to what is shown. The stream ends when the
 * session does (logout, deactivation: announced, on every instance in cluster mode; re-checked
 * every RECHECK_MS), and when the gateway drains.
 */
import { Effect, Stream } from "effect"
import type { Context } from "hono"
import { streamSSE } from "hono/streaming"
import { ConsoleSessions } from "../../actors/console/ConsoleSessions.ts"
import { Events, type SequencedEvent } from "../../actors/Events.ts"
import { credentialEnds } from "../../actors/people/TokenRevocations.ts"
import { runLiveStream } from "../http/live-stream/index.ts"
import type { Lifecycle } from "../lifecycle.ts"
import type { AppRuntime } from "../Runtime.ts"
import type { ConsoleEnv } from "./session.ts"

const RECHECK_MS = 5_000

const sessionEnds = (sessionId: string) =>
  Effect.gen(function*() {
    const sessions = yield* ConsoleSessions
    yield* credentialEnds(sessionId, sessions.isActive(sessionId), RECHECK_MS)
  })

/** Gathers a stream's signals this long: a burst of changes is one list refresh, and a steady stream still refreshes it this often. */
export const SIGNAL_MS = 250

const conversationOf = ({ event }: SequencedEvent): string | undefined => {
  const data = event.data as { id?: string; conversationId?: string }
  const type = event.type as string
  return type.startsWith("message.") || type === "note.created" ? data.conversationId : type.startsWith("conversation.") ? data.id : undefined
}

/**
 * What the console's stream says of the changes: every SIGNAL_MS (counted from the first change
 * of a run) each changed conversation once (`c-<id>`), then `list` once. Debouncing in the page
 * instead would never refresh the list while changes keep coming faster than its delay.
 */
export const consoleSignals = <E, R>(events: Stream.Stream<SequencedEvent, E, R>): Stream.Stream<ReadonlyArray<string>, E, R> =>
  events.pipe(
    Stream.map(conversationOf),
    Stream.filter((id): id is string => id !== undefined),
    Stream.groupedWithin(10_000, SIGNAL_MS),
    Stream.map((ids) => [...new Set(ids)].map((id) => `c-${id}`).concat("list"))
  )

export function consoleEvents(runtime: AppRuntime, lifecycle: Lifecycle) {
  return function streamConsoleEvents(c: Context<ConsoleEnv>) {
    const sessionId = c.get("session").id
    c.header("cache-control", "no-store")
    return streamSSE(c, async function pumpConsoleEvents(stream) {
      const pump = Effect.gen(function*() {
        const events = yield* Events
        yield* Stream.runForEach(consoleSignals(events.subscribe), (names) =>
          Effect.promise(async () => {
            for (const name of names) await stream.writeSSE({ event: name, data: "1" })
          }))
      })
      await runLiveStream(runtime, lifecycle, stream, pump, sessionEnds(sessionId))
    })
  }
}
