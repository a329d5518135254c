/** Cluster mode: leader-only work runs on the instance holding the `leader` lease, and moves with it. */
import { Effect, Fiber, Layer, Stream } from "effect"
import { Leadership } from "../Leadership.ts"
import { PartitionLeases } from "./PartitionLeases.ts"

export const ClusterLeadership = Layer.effect(
  Leadership,
  Effect.gen(function*() {
    const placement = yield* PartitionLeases
    return Leadership.of({
      whileLeading: (name, work) =>
        Effect.gen(function*() {
          let running: Fiber.Fiber<void> | undefined
          yield* placement.changes.pipe(
            Stream.runForEach((change) =>
              Effect.gen(function*() {
                if (change._tag === "LeaderAcquired" && running === undefined) {
                  yield* Effect.logInfo(`leading the cluster: ${name} runs here`)
                  running = yield* Effect.forkScoped(work)
                } else if (change._tag === "LeaderLost" && running !== undefined) {
                  yield* Effect.logInfo(`no longer leading: ${name} stops here`)
                  yield* Fiber.interrupt(running)
                  running = undefined
                }
              })
            ),
            Effect.forkScoped
          )
        })
    })
  })
)
