/**
 * The window warning: once per window, when it closes within the hour and no agent answered
 * the resident's last message, agents hear `conversation.window_closing` — they can still
 * answer in free text.
 */
import { nowMillis } from "../../domain/time.ts"
import { Effect } from "effect"
import type { ActorDeps, ConversationState } from "./deps.ts"
import { conversationToJson, windowClosingSoon } from "./serialize.ts"

export const onWindowCheck = (deps: ActorDeps, state: ConversationState) =>
  Effect.gen(function*() {
    const conversation = state.conversation
    const now = yield* nowMillis
    if (conversation === null || !windowClosingSoon(conversation, now) || conversation.windowWarnedFor === conversation.windowExpiresAt) {
      return state
    }
    const next = { ...conversation, windowWarnedFor: conversation.windowExpiresAt }
    yield* deps.database.transaction(deps.store.updateConversation(next))
    yield* deps.database.committed()
    const data = conversationToJson(next, (yield* deps.store.contact(state.contactId))!, now)
    yield* deps.publish([{ type: "conversation.window_closing", data }, { type: "conversation.updated", data }])
    return { ...state, conversation: next }
  })
