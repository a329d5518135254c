/**
 * Cluster mode: a settings change on one instance rings every other over NATS with the new
 * version (`{"version":n}`, decoded with a Schema); an instance behind it re-reads the row.
 * A lost ring only delays: every instance also compares versions every few seconds.
 */
import { Effect, Layer, Schema } from "effect"
import { SettingsBell } from "../settings/SettingsBell.ts"
import { Nats } from "./Nats.ts"

const Ring = Schema.Struct({ version: Schema.Int.check(Schema.isGreaterThan(0)) })
const decodeRing = Schema.decodeUnknownOption(Schema.fromJsonString(Ring))
const encodeRing = (version: number) => JSON.stringify({ version })

export const ClusterSettingsBell = Layer.effect(
  SettingsBell,
  Effect.gen(function*() {
    const { nc, names } = yield* Nats
    const listeners = new Set<(version: number) => void>()
    const subscription = nc.subscribe(names.settingsChanged, {
      callback: (error, message) => {
        if (error !== null) return
        const ring = decodeRing(message.string())
        if (ring._tag === "Some") for (const listener of listeners) listener(ring.value.version)
      }
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => subscription.unsubscribe()))
    return SettingsBell.of({
      ring: (version) => {
        if (!nc.isClosed()) nc.publish(names.settingsChanged, encodeRing(version))
      },
      onRing: (listener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      }
    })
  })
)
