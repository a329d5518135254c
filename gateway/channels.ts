/**
 * The channels' outbound sides, built from the registry (adapters/registry.ts) and the
 * configuration: every adapter, each one's sender, and the template source of the channel
 * that has templates (WhatsApp's WABA).
 */
import { Layer } from "effect"
import { makeChannelAdapters } from "../adapters/registry.ts"
import { Channels } from "../actors/Channels.ts"
import { Senders } from "../actors/outbox/Senders.ts"
import { TemplateSourceRef } from "../actors/templates/Templates.ts"
import type { LoketConfigValue } from "../config/Config.ts"

export function channelLayers(config: LoketConfigValue) {
  const all = makeChannelAdapters(config.channels)
  const byName = new Map(all.map((adapter) => [adapter.channel as string, adapter]))
  const channels = Layer.succeed(Channels, Channels.of({ all, of: (channel) => byName.get(channel) }))
  const senders = Layer.succeed(Senders, Senders.of({ of: (channel) => byName.get(channel)?.sender }))
  const source = Layer.succeed(TemplateSourceRef, all.find((adapter) => adapter.templates !== undefined)?.templates)
  return Layer.mergeAll(channels, senders, source)
}
