/**
 * A due durable timer, fired by the conversation's actor (the single writer), once: the timer
 * leaves `pending` in the same transaction as what it does. Today's one kind is the follow-up
 * at the next opening (docs/playbook.md):
 * - an agent answered meanwhile (or the conversation was closed): cancelled;
 * - the resident's 24-hour window is still open: nothing to send — the conversation is simply
 *   first in the queue (oldest `waitingSince`), agents hear `conversation.updated`;
 * - the window has closed: the configured approved template goes, flagged `auto`, author `loket`,
 *   through the outbox; a tap on its quick reply reopens the window.
 */
import { Effect } from "effect"
import { nowIso } from "../../domain/time.ts"
import type { ConversationRow, MessageRow, TimerRow } from "../../drizzle/schema.ts"
import type { ActorDeps, ConversationState } from "./deps.ts"
import { conversationToJson, messageToJson } from "./serialize.ts"
import { checkTemplate } from "./template-check.ts"
import { followUpContent, writeAutoTemplate } from "./follow-up.ts"

type Outcome =
  | { readonly state: "cancelled"; readonly outcome: string }
  | { readonly state: "fired"; readonly outcome: string; readonly send?: ReturnType<typeof followUpContent> }

const decideFollowUp = (deps: ActorDeps, conversation: ConversationRow, now: string) =>
  Effect.gen(function*(): Effect.fn.Return<Outcome, unknown> {
    if (conversation.waitingSince === null) return { state: "cancelled", outcome: "an agent answered" }
    if (conversation.status === "closed") return { state: "cancelled", outcome: "conversation closed" }
    if (conversation.windowExpiresAt !== null && conversation.windowExpiresAt > now) return { state: "fired", outcome: "window open: first in the queue" }
    const settings = deps.settings === undefined ? undefined : yield* deps.settings
    if (settings === undefined || !settings.followUp.enabled) return { state: "cancelled", outcome: "follow-up disabled" }
    const content = followUpContent(settings.followUp)
    const template = yield* deps.templates.find(content.template.name, content.template.language)
    const refused = checkTemplate(template, content.template)
    if (refused !== undefined) return { state: "fired", outcome: `template not sent: ${refused.code}` }
    return { state: "fired", outcome: "template sent", send: content }
  })

const isDue = (timer: TimerRow | undefined, conversation: ConversationRow | null, now: string): timer is TimerRow =>
  timer !== undefined && conversation !== null && timer.state === "pending" && timer.dueAt <= now && timer.conversationId === conversation.id

export const onTimer = (deps: ActorDeps, state: ConversationState, timerId: string) =>
  Effect.gen(function*() {
    const { store } = deps
    const conversation = state.conversation
    const now = yield* nowIso
    const timer = yield* store.timer(timerId)
    // Fired already (a second tell, another instance before a failover) or re-armed for later: nothing to do.
    if (!isDue(timer, conversation, now) || conversation === null) return state
    const outcome = yield* decideFollowUp(deps, conversation, now)
    const contact = (yield* store.contact(state.contactId))!
    const written = yield* deps.database.transaction(Effect.gen(function*() {
      yield* store.settleTimer(timer.id, outcome.state, outcome.outcome, now)
      if (outcome.state !== "fired" || outcome.send === undefined) return undefined
      const template = yield* deps.templates.find(outcome.send.template.name, outcome.send.template.language)
      return yield* writeAutoTemplate(deps, conversation, contact, outcome.send, template, now)
    }))
    yield* deps.database.committed()
    yield* Effect.logInfo("timer fired", { timer: timer.kind, conversationId: conversation.id, state: outcome.state, outcome: outcome.outcome })
    const events: Array<{ type: "message.created"; data: ReturnType<typeof messageToJson> }> = []
    if (written !== undefined) {
      deps.wakeOutbox()
      events.push({ type: "message.created", data: messageToJson(written as MessageRow) })
    }
    if (outcome.state === "fired") {
      yield* deps.publish([...events, { type: "conversation.updated", data: conversationToJson(conversation, contact, Date.parse(now)) }])
    }
    return state
  })
