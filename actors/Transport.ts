/**
 * How accepted events become durable and reach their conversation's actor. Embedded mode:
 * the SQLite inbox with group commit (InProcessTransport.ts); cluster mode swaps the Layer.
 * The gateway only calls `accept`, and answers the provider once it succeeds.
 */
import { Context, type Effect, Schema } from "effect"
import type { Channel } from "../domain/Channel.ts"
import type { ParsedWebhook } from "../domain/InboundEvent.ts"
import type { DatabaseUnavailable } from "../drizzle/Database.ts"

export class IngestUnavailable extends Schema.TaggedError<IngestUnavailable>()("IngestUnavailable", {
  message: Schema.String
}) {}

export interface AcceptResult {
  /** Events new to Loket. */
  readonly accepted: number
  /** Events seen before (provider redeliveries), absorbed. */
  readonly duplicates: number
  /** Items parked because they could not be understood. */
  readonly parked: number
}

export interface ParkedEvent {
  readonly seq: number
  readonly key: string
  readonly channel: string
  readonly kind: string
  readonly receivedAt: string
  readonly attempts: number
  readonly lastError: string | null
}

export interface ClusterView {
  readonly instanceId: string
  readonly partitions: number
  /** Partitions whose conversations this instance hosts now. */
  readonly owned: ReadonlyArray<number>
  /** Whether this instance runs the once-per-cluster work (outbox dispatch, window watch). */
  readonly leader: boolean
  readonly natsConnected: boolean
  /**
   * Since start: the batches this instance's partitions applied (each one PostgreSQL transaction),
   * the events in them, and the batches that failed (their events applied again one at a time).
   */
  readonly batches?: { readonly applied: number; readonly events: number; readonly failed: number } | undefined
}

export class Transport extends Context.Service<Transport, {
  /** Resolves once every event of `parsed` is durable. */
  accept(channel: Channel, parsed: ParsedWebhook): Effect.Effect<AcceptResult, IngestUnavailable>
  /** Whether events can be made durable now. */
  readonly ready: Effect.Effect<boolean>
  /** Parked events (that kept failing, or were not understood), newest first. */
  readonly parked: (limit: number) => Effect.Effect<ReadonlyArray<ParkedEvent>, DatabaseUnavailable>
  /** Hands a parked event to its actor again: "requeued", "rejected" (never understood: nothing to retry) or "not_parked". */
  readonly retryParked: (seq: number) => Effect.Effect<"requeued" | "rejected" | "not_parked", DatabaseUnavailable>
  /** Cluster mode: where this instance stands (for IT teams: GET /api/v1/admin/cluster); undefined when embedded. */
  readonly cluster: () => ClusterView | undefined
  /** Counters since start: webhooks accepted and the commits that made them durable (group commit). */
  readonly stats: () => { readonly webhooks: number; readonly commits: number }
}>()("loket/actors/Transport") {}
