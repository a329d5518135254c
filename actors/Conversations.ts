/**
 * The conversation actors of this process, and the routing of durable events to them:
 * resolve the resident to one contact, then tell the actor of (channel account, contact).
 */
import { Cause, Context, Effect, Layer } from "effect"
import { Database } from "../drizzle/Database.ts"
import { LoketConfig } from "../gateway/Config.ts"
import { defaultRetry, makeActorHost } from "./ActorHost.ts"
import { makeContactDirectory } from "./ContactDirectory.ts"
import { conversationKey, makeConversationBehavior } from "./conversation/ConversationActor.ts"
import { Events } from "./Events.ts"
import { type Envelope, makeInbox } from "./Inbox.ts"

const MAILBOX_SIZE = 256

export class Conversations extends Context.Service<Conversations, {
  /** Routes a durable event to its conversation's actor (waits while that mailbox is full). */
  route(envelope: Envelope): Effect.Effect<void>
  /** Conversation actors in memory now. */
  readonly active: () => number
}>()("loket/actors/Conversations") {
  static readonly layer = Layer.effect(
    Conversations,
    Effect.gen(function*() {
      const database = yield* Database
      const config = yield* LoketConfig
      const events = yield* Events
      const inbox = makeInbox(database)
      const directory = makeContactDirectory(database)
      const host = yield* makeActorHost(makeConversationBehavior(database, inbox, events.publish), {
        mailboxSize: MAILBOX_SIZE,
        idleTimeoutMs: config.actorIdleSeconds * 1000,
        retry: defaultRetry
      })

      const keyOf = (envelope: Envelope): string => {
        const event = envelope.event
        switch (event.kind) {
          case "message":
            return conversationKey(event.channel, event.channelAccountId, directory.resolve(event.channel, event.resident, event.message.system))
          case "status":
            return conversationKey(event.channel, event.channelAccountId, directory.resolve(event.channel, event.resident))
          case "template_status":
            return `${event.channel}|templates|${event.accountId}`
        }
      }

      const route = (envelope: Envelope) =>
        Effect.try({ try: () => keyOf(envelope), catch: (cause) => cause }).pipe(
          Effect.retry(defaultRetry),
          Effect.matchCauseEffect({
            onSuccess: (key) => host.tell(key, envelope),
            onFailure: (cause) =>
              Effect.sync(() => inbox.park(envelope.seq, Cause.pretty(cause), 5)).pipe(
                Effect.andThen(Effect.logError("event parked: its resident could not be resolved", { seq: envelope.seq })),
                Effect.catchCause(() => Effect.void)
              )
          })
        )

      return Conversations.of({ route, active: host.active })
    })
  )
}
