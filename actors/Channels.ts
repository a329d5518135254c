/** The running channel adapters (adapters/registry.ts, built from the configuration at start). */
import { Context } from "effect"
import type { ChannelAdapter } from "../adapters/ChannelAdapter.ts"

export class Channels extends Context.Service<Channels, {
  /** Every registered channel, configured or not, in registry order. */
  readonly all: ReadonlyArray<ChannelAdapter>
  /** The adapter of `channel`; undefined for a channel Loket does not have. */
  readonly of: (channel: string) => ChannelAdapter | undefined
}>()("loket/actors/Channels") {}
