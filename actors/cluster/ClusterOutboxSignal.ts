/**
 * Cluster mode: a send accepted on any instance rings the bell of the outbox dispatcher,
 * which runs on the leader. The dispatcher also looks every second, so a lost ring only delays.
 */
import { Effect, Layer, Option, Queue } from "effect"
import { OutboxSignal } from "../outbox/OutboxSignal.ts"
import { Nats } from "./Nats.ts"

export const ClusterOutboxSignal = Layer.effect(
  OutboxSignal,
  Effect.gen(function*() {
    const { nc, names } = yield* Nats
    const bell = yield* Queue.sliding<true>(1)
    const subscription = nc.subscribe(names.outboxBell, { callback: () => void Queue.offerUnsafe(bell, true) })
    yield* Effect.addFinalizer(() => Effect.sync(() => subscription.unsubscribe()))
    return OutboxSignal.of({
      wake: () => {
        if (!nc.isClosed()) nc.publish(names.outboxBell)
      },
      wait: (ms) => Queue.take(bell).pipe(Effect.timeoutOption(ms), Effect.map(Option.isSome), Effect.asVoid)
    })
  })
)
