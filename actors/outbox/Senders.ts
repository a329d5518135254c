/** The outbound side of each configured channel; a channel without credentials has none. */
import { Context } from "effect"
import type { ChannelSender } from "../../adapters/ChannelAdapter.ts"

export class Senders extends Context.Service<Senders, {
  readonly of: (channel: string) => ChannelSender | undefined
}>()("loket/actors/Senders") {}
