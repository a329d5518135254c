/**
 * Work that runs once per Loket, not once per instance: the outbox dispatcher (and with it the
 * per-number rate limits) and the window watch. Embedded mode: the one instance always leads.
 * Cluster mode: the holder of the `leader` lease (cluster/ClusterLeadership.ts).
 */
import { Context, Effect, Layer, type Scope } from "effect"

export class Leadership extends Context.Service<Leadership, {
  /**
   * Runs `work` in the background while this instance leads; interrupts it when leadership is
   * lost and starts it afresh when it comes back. Ends with the surrounding scope.
   */
  readonly whileLeading: (name: string, work: Effect.Effect<void>) => Effect.Effect<void, never, Scope.Scope>
}>()("loket/actors/Leadership") {
  static readonly always = Layer.succeed(Leadership, Leadership.of({
    whileLeading: (_name, work) => Effect.asVoid(Effect.forkScoped(work))
  }))
}
