/**
 * Looks for 24-hour windows that close within the hour without an agent's answer and tells
 * their actors, which warn agents once per window (SSE `conversation.window_closing`).
 */
import { nowMillis } from "../../domain/time.ts"
import { and, gt, isNotNull, lte } from "drizzle-orm"
import { Effect, Layer, Schedule } from "effect"
import { Database } from "../../drizzle/Database.ts"
import { LoketConfig } from "../../config/Config.ts"
import { Conversations } from "../Conversations.ts"
import { Leadership } from "../Leadership.ts"
import { conversationKey } from "./ConversationActor.ts"
import { windowClosingSoon } from "./serialize.ts"

const HOUR_MS = 60 * 60 * 1000

export const WindowWatch = Layer.effectDiscard(
  Effect.gen(function*() {
    const database = yield* Database
    const config = yield* LoketConfig
    const actors = yield* Conversations
    const check = Effect.gen(function*() {
      const now = yield* nowMillis
      const rows = yield* database.all((db, t) => db.select().from(t.conversations).where(and(
        isNotNull(t.conversations.windowExpiresAt),
        gt(t.conversations.windowExpiresAt, new Date(now).toISOString()),
        lte(t.conversations.windowExpiresAt, new Date(now + HOUR_MS).toISOString())
      )))
      const closing = rows.filter((row) => windowClosingSoon(row, now) && row.windowWarnedFor !== row.windowExpiresAt)
      for (const row of closing) {
        yield* actors.tell(conversationKey(row.channel, row.channelAccountId, row.contactId), { kind: "window-check" })
      }
    })
    const leadership = yield* Leadership
    yield* leadership.whileLeading("window watch", check.pipe(
      Effect.catchCause((cause) => Effect.logWarning("window check failed", String(cause))),
      Effect.repeat(Schedule.spaced(`${config.outbound.windowCheckSeconds} seconds`)),
      Effect.asVoid
    ))
  })
)
