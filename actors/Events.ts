/**
 * Domain events: what agents see change, fanned out to the SSE stream (and later to
 * outgoing webhooks and case-system sinks). Published after the change is committed.
 */
import { Context, Effect, Layer, PubSub, Stream } from "effect"
import type { Conversation } from "../domain/Conversation.ts"
import type { Message } from "../domain/Message.ts"

export type DomainEvent =
  | { readonly type: "message.created"; readonly data: Message }
  | { readonly type: "message.updated"; readonly data: Message }
  | { readonly type: "conversation.updated"; readonly data: Conversation }
  /** Its team or assignee changed (a hand-over to a vakteam, an agent taking it): the conversation as it is now. */
  | { readonly type: "conversation.assigned"; readonly data: Conversation }
  /** An agent wrote an internal note (a Message with direction `internal`, type `note`); never sent to the resident. */
  | { readonly type: "note.created"; readonly data: Message }
  /** The window closes within the hour and no agent has answered: answer now, or a template is needed. */
  | { readonly type: "conversation.window_closing"; readonly data: Conversation }
  /** A channel needs an admin (WhatsApp: the access token expired, code 190). */
  | { readonly type: "channel.alert"; readonly data: ChannelAlert }

export interface ChannelAlert {
  readonly channel: string
  readonly channelAccountId: string
  readonly code: number | string
  readonly title: string
  readonly message: string
  readonly at: string
}

export interface SequencedEvent {
  /** Monotonic per process; sent as the SSE `id:`. */
  readonly id: number
  readonly event: DomainEvent
}

/** How many events a slow subscriber may fall behind before the oldest are dropped for it. */
const SUBSCRIBER_BACKLOG = 10_000

export class Events extends Context.Service<Events, {
  publish(events: ReadonlyArray<DomainEvent>): Effect.Effect<void>
  readonly subscribe: Stream.Stream<SequencedEvent>
}>()("loket/actors/Events") {
  static readonly layer = Layer.effect(
    Events,
    Effect.gen(function*() {
      const pubsub = yield* PubSub.sliding<SequencedEvent>(SUBSCRIBER_BACKLOG)
      yield* Effect.addFinalizer(() => PubSub.shutdown(pubsub))
      let next = 1
      const publish = (events: ReadonlyArray<DomainEvent>) =>
        events.length === 0
          ? Effect.void
          : PubSub.publishAll(pubsub, events.map((event) => ({ id: next++, event }))).pipe(Effect.asVoid)
      return Events.of({ publish, subscribe: Stream.fromPubSub(pubsub) })
    })
  )
}
