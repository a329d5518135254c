/**
 * Cluster mode: every instance's SSE stream carries the events of all. A domain event is handed
 * to the publishing instance's local event stream (Events.layer) at once and published on NATS
 * (core, at most once: the stream is live, the API has the truth), marked with the publisher's
 * (random) origin; every other instance hands what it receives to its local stream. The
 * publisher skips its own echo: it would only decode again what it already delivered.
 */
import { randomUUID } from "node:crypto"
import { Effect, Layer } from "effect"
import { headers as natsHeaders } from "nats"
import { type DomainEvent, Events } from "../Events.ts"
import { Nats } from "./Nats.ts"
import { logRefused } from "./wire/decodeWire.ts"
import { decodeDomainEvents } from "./wire/DomainEventWire.ts"

/** The header naming the instance (a random id per start) that published a message of domain events. */
const ORIGIN_HEADER = "Loket-Origin"

export const ClusterEvents = Layer.effect(
  Events,
  Effect.gen(function*() {
    const local = yield* Events
    const { nc, names } = yield* Nats
    const origin = randomUUID()
    const marked = natsHeaders()
    marked.set(ORIGIN_HEADER, origin)
    const subscription = nc.subscribe(names.domainEvents, {
      callback: function deliverDomainEvents(error, msg) {
        if (error !== null) return
        if (msg.headers?.get(ORIGIN_HEADER) === origin) return // delivered locally when published
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
        : local.publish(events).pipe(
          Effect.andThen(Effect.sync(() => nc.publish(names.domainEvents, JSON.stringify(events), { headers: marked }))),
          Effect.catchDefect((cause) => Effect.logWarning("domain events could not be published on NATS", String(cause)))
        )
    return Events.of({ publish, subscribe: local.subscribe })
  })
).pipe(Layer.provide(Events.layer))
