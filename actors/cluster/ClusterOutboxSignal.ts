/**
 * Cluster mode: a send accepted on any instance rings the bell of the outbox dispatcher,
 * which runs on the leader: the ring goes over NATS to every instance's local bell
 * (OutboxSignal.layer). The dispatcher also looks every second, so a lost ring only delays.
 */
import { Effect, Layer } from "effect"
import { OutboxSignal } from "../outbox/OutboxSignal.ts"
import { Nats } from "./Nats.ts"
import { logRefused } from "./wire/decodeWire.ts"

export const ClusterOutboxSignal = Layer.effect(
  OutboxSignal,
  Effect.gen(function*() {
    const local = yield* OutboxSignal
    const { nc, names } = yield* Nats
    const subscription = nc.subscribe(names.outboxBell, {
      callback: function ringBell(error, msg) {
        if (error !== null) return
        // The bell carries nothing: a message with a payload is not Loket's ring.
        if (msg.data.length > 0) {
          Effect.runFork(logRefused("outbox bell", msg.subject, "(root): expected an empty message", msg.data.length))
          return
        }
        local.wake()
      }
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => subscription.unsubscribe()))
    return OutboxSignal.of({
      wake: () => {
        if (!nc.isClosed()) nc.publish(names.outboxBell)
      },
      wait: local.wait
    })
  })
).pipe(Layer.provide(OutboxSignal.layer))
