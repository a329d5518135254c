/**
 * `GET /api/v1/events`: Server-Sent Events of every change — `message.created`,
 * `message.updated`, `conversation.updated`, `conversation.assigned`, `note.created` — each
 * `data:` the full resource as JSON. With the `access` setting `"team"`, an agent-role stream
 * carries only the events of conversations its caller may see (conversations/access.ts), by
 * the conversation's team and assignee as the events themselves report them.
 * A comment line every 15 s keeps proxies from closing an idle stream. When the gateway shuts
 * down, every stream ends (the agent's browser reconnects to another instance, or after the
 * restart, and reads what it missed from the API).
 *
 * The stream lives only as long as its token: it ends at once when the token is revoked or its
 * agent deactivated (announced by TokenRevocations, over NATS in cluster mode), and the token is
 * re-checked every RECHECK_MS in case an announcement was lost.
 */
import { eq } from "drizzle-orm"
import { Effect, Stream } from "effect"
import { Hono } from "hono"
import { streamSSE } from "hono/streaming"
import { type DomainEvent, Events } from "../../../actors/Events.ts"
import { Settings } from "../../../actors/settings/Settings.ts"
import type { Principal } from "../../../actors/people/Principal.ts"
import { Database } from "../../../drizzle/Database.ts"
import { canSee } from "../conversations/access.ts"
import { ApiTokens } from "../../../actors/people/ApiTokens.ts"
import { ConsoleSessions } from "../../../actors/console/ConsoleSessions.ts"
import { credentialEnds } from "../../../actors/people/TokenRevocations.ts"
import { runLiveStream } from "../../http/live-stream/index.ts"
import type { Lifecycle } from "../../lifecycle.ts"
import type { AppRuntime } from "../../Runtime.ts"
import type { AuthEnv } from "../auth/index.ts"

const RECHECK_MS = 5_000

/** Completes when `tokenId` is no longer good: announced revoked, or found so by a re-check. */
const tokenEnds = (tokenId: string) =>
  Effect.gen(function*() {
    const tokens = yield* ApiTokens
    const sessions = yield* ConsoleSessions
    // A console session (the API called with its cookie) is re-checked as a session, a token as a token.
    yield* credentialEnds(tokenId, tokenId.startsWith("ses_") ? sessions.isActive(tokenId) : tokens.isActive(tokenId), RECHECK_MS)
  })

type Placement = { readonly team: string | null; readonly assignee: string | null }

/**
 * Whether `principal` may see `event` now: the access setting is read per event (a change applies at
 * once); a message's conversation is placed by the last conversation event this stream saw, else read.
 */
const makeEventFilter = (principal: Principal) =>
  Effect.gen(function*() {
    const settings = yield* Settings
    const database = yield* Database
    const placed = new Map<string, Placement>()
    const placementOf = (conversationId: string) =>
      placed.has(conversationId)
        ? Effect.succeed(placed.get(conversationId))
        : database.one((db, t) => db.select({ team: t.conversations.team, assignee: t.conversations.assignee }).from(t.conversations)
          .where(eq(t.conversations.id, conversationId))).pipe(Effect.orElseSucceed(() => undefined))
    return (event: DomainEvent): Effect.Effect<boolean> =>
      Effect.gen(function*() {
        if (event.type === "conversation.updated" || event.type === "conversation.assigned" || event.type === "conversation.window_closing") {
          placed.set(event.data.id, { team: event.data.team, assignee: event.data.assignee })
        }
        if (principal.role === "admin" || (yield* settings.current).access !== "team") return true
        const visibility = { all: false, teams: principal.teams, agentId: principal.agentId } as const
        switch (event.type) {
          case "conversation.updated":
          case "conversation.assigned":
          case "conversation.window_closing":
            return canSee(visibility, event.data)
          case "message.created":
          case "message.updated":
          case "note.created": {
            const placement = yield* placementOf(event.data.conversationId)
            return placement !== undefined && canSee(visibility, placement)
          }
          default:
            return true
        }
      })
  })

export function eventRoutes(runtime: AppRuntime, lifecycle: Lifecycle) {
  return new Hono<AuthEnv>().get("/", function streamEvents(c) {
    const principal = c.get("principal")
    const { tokenId } = principal
    return streamSSE(c, async function pumpEvents(stream) {
      const pump = Effect.gen(function*() {
        const events = yield* Events
        const visible = yield* makeEventFilter(principal)
        yield* Stream.runForEach(events.subscribe, ({ id, event }) =>
          Effect.flatMap(visible(event), (shown) => shown
            ? Effect.promise(() => stream.writeSSE({ id: String(id), event: event.type, data: JSON.stringify(event.data) }))
            : Effect.void))
      })
      await runLiveStream(runtime, lifecycle, stream, pump, tokenEnds(tokenId))
      if (!stream.aborted) await stream.write(": token revoked\n\n").catch(() => undefined)
    })
  })
}
