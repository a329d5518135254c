/**
 * The playbook inside a resident's message's transaction: Loket's own replies (first contact,
 * out of hours, receipt) written with their outbox rows, and the follow-up timer armed for the
 * next opening or cancelled. The decision itself is pure (domain/playbook/decide.ts).
 */
import { Effect } from "effect"
import type { InboundDecision } from "../../domain/playbook/decide.ts"
import type { ContactRow, ConversationRow, MessageRow } from "../../drizzle/schema.ts"
import type { DatabaseUnavailable } from "../../drizzle/Database.ts"
import { writeAutoMessage } from "./auto-reply.ts"
import { timerId } from "./ConversationStore.ts"
import type { ActorDeps } from "./deps.ts"

/** The timer kind of the follow-up at the next opening. */
export const FOLLOW_UP = "follow-up"

/** Message types a resident writes to be answered: they get the playbook (not system notices, not reactions). */
export const awaitsAnswer = (type: string) => type !== "system" && type !== "reaction"

export const applyPlaybook = (
  deps: ActorDeps,
  conversation: ConversationRow,
  contact: Effect.Effect<ContactRow, DatabaseUnavailable>,
  decision: InboundDecision,
  /** A follow-up may be pending (one is only while the resident waits, `waitingSince` set before this message). */
  mayHaveFollowUp: boolean,
  now: string
) =>
  Effect.gen(function*() {
    const written: Array<MessageRow> = []
    if (decision.replies.length > 0) {
      const resident = yield* contact
      for (const reply of decision.replies) {
        // Nothing when the channel's window does not let a text go now.
        const row = yield* writeAutoMessage(deps, conversation, resident, { text: reply.text, flags: [`auto:${reply.kind}`] }, now)
        if (row !== undefined) written.push(row)
      }
    }
    if (decision.followUpAt !== null) yield* deps.store.armTimer(conversation.id, FOLLOW_UP, decision.followUpAt, now)
    else if (mayHaveFollowUp) yield* deps.store.settleTimer(timerId(conversation.id, FOLLOW_UP), "cancelled", "resident wrote during office hours", now)
    return written
  })
