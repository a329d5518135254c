/**
 * Cluster mode: every instance's SSE stream carries the events of all. A domain event is
 * published on NATS (core, at most once: the stream is live, the API has the truth) and each
 * instance, the publisher too, hands what it receives to its local subscribers.
 */
import { Effect, Layer, PubSub, Stream } from "effect"
import { type DomainEvent, Events, type SequencedEvent } from "../Events.ts"
import { Nats } from "./Nats.ts"

const SUBSCRIBER_BACKLOG = 10_000

export const ClusterEvents = Layer.effect(
  Events,
  Effect.gen(function*() {
    const { nc, names } = yield* Nats
    const pubsub = yield* PubSub.sliding<SequencedEvent>(SUBSCRIBER_BACKLOG)
    yield* Effect.addFinalizer(() => PubSub.shutdown(pubsub))
    let next = 1
    const subscription = nc.subscribe(names.domainEvents, {
      callback: function deliverDomainEvents(error, msg) {
        if (error !== null) return
        let events: Array<DomainEvent>
        try {
          events = msg.json<Array<DomainEvent>>()
        } catch {
          return
        }
        for (const event of events) PubSub.publishUnsafe(pubsub, { id: next++, event })
      }
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => subscription.unsubscribe()))
    const publish = (events: ReadonlyArray<DomainEvent>) =>
      events.length === 0
        ? Effect.void
        : Effect.sync(() => nc.publish(names.domainEvents, JSON.stringify(events))).pipe(
          Effect.catchDefect((cause) => Effect.logWarning("domain events could not be published on NATS", String(cause)))
        )
    return Events.of({ publish, subscribe: Stream.fromPubSub(pubsub) })
  })
)
