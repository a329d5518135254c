/**
 * Where a conversation's events go in cluster mode: the partition of its placement key
 * (partitionOf.ts), whose owner (PartitionLeases.ts) hosts the conversation's actor.
 */
import type { InboundEvent } from "../../domain/InboundEvent.ts"
import { partitionOf } from "./partitionOf.ts"

/**
 * The key a resident's events are placed by: channel account and the resident's most stable id
 * (the business-scoped user id when Meta gives one, else the phone number). Template updates
 * go by account.
 */
export const eventPlacementKey = (event: InboundEvent): string => {
  switch (event.kind) {
    case "message":
    case "status":
      return residentPlacementKey(event.channel, event.channelAccountId, event.resident)
    case "template_status":
      return `${event.channel}|templates|${event.accountId}`
  }
}

export const residentPlacementKey = (channel: string, channelAccountId: string, ids: { readonly waId: string | null; readonly userId: string | null }) =>
  `${channel}|${channelAccountId}|${ids.userId ?? ids.waId ?? ""}`

export const placeEvent = (event: InboundEvent, partitions: number) => partitionOf(eventPlacementKey(event), partitions)
