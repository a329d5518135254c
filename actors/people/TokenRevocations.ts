/**
 * Tells open streams (SSE) that tokens were revoked, so a stream opened with a revoked token (or
 * a deactivated agent's) ends at once instead of carrying residents' messages on. Requests need
 * no signal: every request looks its token up (ApiTokens). In-process here; in cluster mode the
 * announcement rings every instance over NATS (actors/cluster/ClusterTokenRevocations.ts).
 */
import { Context, Effect, Layer, PubSub, Schedule, Stream } from "effect"

export class TokenRevocations extends Context.Service<TokenRevocations, {
  /** After the revocation is committed: these token ids are dead. */
  readonly announce: (tokenIds: ReadonlyArray<string>) => Effect.Effect<void>
  /** Token ids as they are revoked (on this instance or, in cluster mode, on any). */
  readonly revoked: Stream.Stream<string>
}>()("loket/actors/TokenRevocations") {
  static readonly layer = Layer.effect(
    TokenRevocations,
    Effect.gen(function*() {
      const pubsub = yield* PubSub.sliding<string>(10_000)
      yield* Effect.addFinalizer(() => PubSub.shutdown(pubsub))
      return TokenRevocations.of({
        announce: (tokenIds) => (tokenIds.length === 0 ? Effect.void : PubSub.publishAll(pubsub, tokenIds).pipe(Effect.asVoid)),
        revoked: Stream.fromPubSub(pubsub)
      })
    })
  )
}

/**
 * Completes when the credential `id` (an API token or a console session) is no longer good:
 * announced revoked, or found so by `isActive`, asked every `recheckMs` in case an announcement
 * was lost. A failing check (a database hiccup) does not end it; only a definite "not active" does.
 */
export const credentialEnds = <R>(id: string, isActive: Effect.Effect<boolean, unknown, R>, recheckMs: number) =>
  Effect.gen(function*() {
    const revocations = yield* TokenRevocations
    const announced = revocations.revoked.pipe(Stream.filter((revoked) => revoked === id), Stream.take(1), Stream.runDrain)
    const rechecked = isActive.pipe(
      Effect.orElseSucceed(() => true),
      Effect.repeat({ schedule: Schedule.spaced(recheckMs), until: (active) => !active }),
      Effect.asVoid
    )
    yield* Effect.raceFirst(announced, rechecked)
  })
