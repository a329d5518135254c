/**
 * Cluster mode: every instance's SSE stream carries the events of all. A domain event is
 * published on NATS (core, at most once: the stream is live, the API has the truth) and each
 * instance, the publisher too, hands what it receives to its local event stream (Events.layer).
 */
import { Effect, Layer } from "effect"
import { type DomainEvent, Events } from "../Events.ts"
import { Nats } from "./Nats.ts"
import { logRefused } from "./wire/decodeWire.ts"
import { decodeDomainEvents } from "./wire/DomainEventWire.ts"

export const ClusterEvents = Layer.effect(
  Events,
  Effect.gen(function*() {
    const local = yield* Events
    const { nc, names } = yield* Nats
    const subscription = nc.subscribe(names.domainEvents, {
      callback: function deliverDomainEvents(error, msg) {
        if (error !== null) return
        const events = decodeDomainEvents(msg.string())
        if (!events.ok) {
          Effect.runFork(logRefused("domain event", msg.subject, events.paths, msg.data.length))
          return
        }
        Effect.runSync(local.publish(events.value))
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
