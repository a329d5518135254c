/**
 * Cluster mode: every instance's SSE stream carries the events of all. A domain event is
 * published on NATS (core, at most once: the stream is live, the API has the truth) and each
 * instance, the publisher too, hands what it receives to its local event stream (Events.layer).
 */
import { Effect, Layer } from "effect"
import { type DomainEvent, Events } from "../Events.ts"
import { Nats } from "./Nats.ts"

export const ClusterEvents = Layer.effect(
  Events,
  Effect.gen(function*() {
    const local = yield* Events
    const { nc, names } = yield* Nats
    const subscription = nc.subscribe(names.domainEvents, {
      callback: function deliverDomainEvents(error, msg) {
        if (error !== null) return
        let events: Array<DomainEvent>
        try {
          events = msg.json<Array<DomainEvent>>()
        } catch {
          return
        }
        Effect.runSync(local.publish(events))
      }
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => subscription.unsubscribe()))
    const publish = (events: ReadonlyArray<DomainEvent>) =>
      events.length === 0
        ? Effect.void
        : Effect.sync(() => nc.publish(names.domainEvents, JSON.stringify(events))).pipe(
          Effect.catchDefect((cause) => Effect.logWarning("domain events could not be published on NATS", String(cause)))
        )
    return Events.of({ publish, subscribe: local.subscribe })
  })
).pipe(Layer.provide(Events.layer))
