/** Retention, as the conversation's single writer: a conversation left without messages is removed. */
import { Effect } from "effect"
import type { ActorDeps, ConversationState } from "./deps.ts"

export const onPruneIfEmpty = (deps: ActorDeps, state: ConversationState, before: string) =>
  Effect.gen(function*() {
    const conversation = state.conversation
    if (conversation === null) return state
    const removed = yield* deps.database.transaction(Effect.gen(function*() {
      // Read again inside the turn: a message may have come since the job looked.
      if (conversation.lastMessageAt >= before || (conversation.lastOutboundAt !== null && conversation.lastOutboundAt >= before)) return false
      if (yield* deps.store.hasMessages(conversation.id)) return false
      yield* deps.store.deleteConversation(conversation.id)
      return true
    }))
    yield* deps.database.committed()
    return removed ? { ...state, conversation: null } : state
  })
