/**
 * Tells the other instances that the settings changed (cluster mode: over NATS, see
 * ../cluster/ClusterSettingsBell.ts). Embedded mode has one instance: nobody to tell.
 */
import { Context, Layer } from "effect"

export interface SettingsBellShape {
  /** Announces that the stored settings reached `version`. */
  readonly ring: (version: number) => void
  /** Calls `listener` with the version another instance announced; answers a function that stops listening. */
  readonly onRing: (listener: (version: number) => void) => () => void
}

export class SettingsBell extends Context.Service<SettingsBell, SettingsBellShape>()("loket/actors/settings/SettingsBell") {
  /** One instance: a change is already in its own memory. */
  static readonly local = Layer.succeed(SettingsBell, SettingsBell.of({ ring: () => {}, onRing: () => () => {} }))
}
