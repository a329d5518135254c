/** What the cluster's KV buckets hold: lease values and instance heartbeats, as JSON. */
import { Option, Schema } from "effect"

/**
 * A lease's value. `epoch` is the lease's fencing token (the revision of the write that created
 * it); the creating write itself cannot know its own revision and carries 0.
 */
export const LeaseValue = Schema.Struct({ owner: Schema.String, epoch: Schema.Number })
export type LeaseValue = typeof LeaseValue.Type

/** An instance's heartbeat in `${ns}_instances`. */
export const InstanceValue = Schema.Struct({ id: Schema.String, startedAt: Schema.String })
export type InstanceValue = typeof InstanceValue.Type

const LeaseJson = Schema.fromJsonString(LeaseValue)
const decodeLeaseJson = Schema.decodeUnknownOption(LeaseJson)

export const encodeLease = (value: LeaseValue): string => JSON.stringify(value)
export const encodeInstance = (value: InstanceValue): string => JSON.stringify(value)

/** The lease in `text`, or none when it is not one (a foreign or damaged write). */
export const decodeLease = (text: string): Option.Option<LeaseValue> => decodeLeaseJson(text)
