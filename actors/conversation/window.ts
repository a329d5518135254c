/**
 * The window warning: once per window, when it closes within the hour and no agent answered
 * the resident's last message, agents hear `conversation.window_closing` — they can still
 * answer in free text.
 */
import { Effect } from "effect"
import type { ActorDeps, ConversationState } from "./deps.ts"
import { conversationToJson, windowClosingSoon } from "./serialize.ts"

export const onWindowCheck = (deps: ActorDeps, state: ConversationState) =>
  Effect.suspend(() => {
    const conversation = state.conversation
    if (conversation === null || !windowClosingSoon(conversation) || conversation.windowWarnedFor === conversation.windowExpiresAt) {
      return Effect.succeed(state)
    }
    const next = { ...conversation, windowWarnedFor: conversation.windowExpiresAt }
    deps.database.transaction(() => deps.store.updateConversation(next))
    const data = conversationToJson(next, deps.store.contact(state.contactId)!)
    return deps.database.committed().pipe(
      Effect.andThen(deps.publish([{ type: "conversation.window_closing", data }, { type: "conversation.updated", data }])),
      Effect.as({ ...state, conversation: next })
    )
  })
