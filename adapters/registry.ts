/**
 * The channels Loket speaks: one line each. The gateway mounts `/webhooks/<channel>` for every
 * module here, builds senders and template sources from them, and asks them what a
 * conversation's channel can send; the configuration reads each module's own `config`.
 */
import { Config as C } from "effect"
import type { Channel } from "../domain/Channel.ts"
import type { ChannelAdapter, ChannelCapabilities } from "./ChannelAdapter.ts"
import { smsChannel } from "./sms/mod.ts"
import { instagramChannel } from "./instagram/mod.ts"
import { messengerChannel } from "./messenger/mod.ts"
import { telegramChannel } from "./telegram/mod.ts"
import { whatsappChannel } from "./whatsapp-cloud/mod.ts"

export const CHANNEL_MODULES = {
  whatsapp: whatsappChannel,
  telegram: telegramChannel,
  sms: smsChannel,
  messenger: messengerChannel,
  instagram: instagramChannel,
} as const

type Modules = typeof CHANNEL_MODULES
export type RegisteredChannel = keyof Modules

/** Every registered channel's settings, by channel name. */
export type ChannelSettings = { readonly [K in RegisteredChannel]: C.Success<Modules[K]["config"]> }

const entries = Object.entries(CHANNEL_MODULES) as Array<[RegisteredChannel, Modules[RegisteredChannel]]>

/** Part of the gateway's configuration (config/Config.ts): reads every channel's variables. */
export const channelSettingsConfig: C.Config<ChannelSettings> = C.all(
  Object.fromEntries(entries.map(([name, module]) => [name, module.config]))
) as unknown as C.Config<ChannelSettings>

/** The running adapters, one per registered channel, in registry order. */
export function makeChannelAdapters(settings: ChannelSettings): ReadonlyArray<ChannelAdapter> {
  return entries.map(([name, module]) => {
    if (module.channel !== name) throw new Error(`adapters/registry.ts lists ${module.channel} under ${name}: the key must be the channel's name`)
    return (module.make as (s: unknown) => ChannelAdapter)(settings[name])
  })
}

/** What `channel` can do, without configuration (the conversation actor's window rule). Undefined: not registered. */
export function capabilitiesOf(channel: Channel | string): ChannelCapabilities | undefined {
  return (CHANNEL_MODULES as Record<string, { capabilities: ChannelCapabilities } | undefined>)[channel]?.capabilities
}
