/**
 * Cluster mode: a token revoked on any instance is announced over NATS to every instance's
 * local TokenRevocations, so SSE streams opened with it end everywhere. What arrives from NATS is
 * decoded with a Schema; anything else is ignored. A lost ring is caught by each stream's
 * periodic re-check of its token (gateway/api/events/routes.ts).
 */
import { Effect, Layer, Option, Schema } from "effect"
import { TokenRevocations } from "../people/TokenRevocations.ts"
import { Nats } from "./Nats.ts"

const Revoked = Schema.fromJsonString(Schema.Struct({ tokenIds: Schema.Array(Schema.String) }))
const decodeRevoked = Schema.decodeUnknownOption(Revoked)

export const ClusterTokenRevocations = Layer.effect(
  TokenRevocations,
  Effect.gen(function*() {
    const local = yield* TokenRevocations
    const { nc, names } = yield* Nats
    const subscription = nc.subscribe(names.tokensRevoked, {
      callback: function deliverRevocations(error, msg) {
        if (error !== null) return
        const decoded = decodeRevoked(msg.string())
        if (Option.isSome(decoded)) Effect.runFork(local.announce(decoded.value.tokenIds))
      }
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => subscription.unsubscribe()))
    return TokenRevocations.of({
      announce: (tokenIds) =>
        tokenIds.length === 0 ? Effect.void : local.announce(tokenIds).pipe(
          Effect.andThen(Effect.sync(() => {
            if (!nc.isClosed()) nc.publish(names.tokensRevoked, JSON.stringify({ tokenIds }))
          })),
          Effect.catchDefect((cause) => Effect.logWarning("a token revocation could not be announced on NATS", String(cause)))
        ),
      revoked: local.revoked
    })
  })
).pipe(Layer.provide(TokenRevocations.layer))
