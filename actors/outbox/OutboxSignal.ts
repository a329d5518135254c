/** A doorbell for the outbox dispatcher: rung when a send is accepted, so it need not poll. */
import { Context, Effect, Layer, Option, Queue } from "effect"

export class OutboxSignal extends Context.Service<OutboxSignal, {
  readonly wake: () => void
  /** Waits for the bell, at most `ms`. */
  readonly wait: (ms: number) => Effect.Effect<void>
}>()("loket/actors/OutboxSignal") {
  static readonly layer = Layer.effect(
    OutboxSignal,
    Effect.gen(function*() {
      const bell = yield* Queue.sliding<true>(1)
      return OutboxSignal.of({
        wake: () => void Queue.offerUnsafe(bell, true),
        wait: (ms) => Queue.take(bell).pipe(Effect.timeoutOption(ms), Effect.map(Option.isSome), Effect.asVoid)
      })
    })
  )
}
