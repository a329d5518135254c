/**
 * Cluster mode's transport. Ingest: each event is published to its partition's subject of the
 * JetStream event stream with `Nats-Msg-Id` = its idempotency key, and the webhook is answered
 * once JetStream acknowledged every one (503 while NATS is unreachable: Meta redelivers).
 * Delivery: for each partition this instance owns, a durable consumer hands the events to the
 * conversation actors in order, what is waiting applied in batches of one PostgreSQL transaction
 * each; an event is acknowledged once it is applied and committed (or parked). A new owner recreates the consumer, so it starts from what its predecessor left
 * unacknowledged; the database's dedupe keys absorb what was applied but not yet acknowledged.
 */
import { Effect, Exit, Fiber, Layer, Queue, type Result, Schedule, Stream } from "effect"
import { AckPolicy, DeliverPolicy, type JsMsg, nanos } from "nats"
import type { Channel } from "../../domain/Channel.ts"
import type { InboundEvent, ParsedWebhook } from "../../domain/InboundEvent.ts"
import { type BatchMember, Database, DatabaseUnavailable } from "../../drizzle/Database.ts"
import { type Addressed, Conversations } from "../Conversations.ts"
import { type Envelope, makeInbox } from "../Inbox.ts"
import { IngestUnavailable, Transport } from "../Transport.ts"
import { Nats } from "./Nats.ts"
import { PartitionLeases } from "./PartitionLeases.ts"
import { partitionOf } from "./partitionOf.ts"
import { placeEvent, residentPlacementKey } from "./Placement.ts"
import { logRefused } from "./wire/decodeWire.ts"
import { decodeInboundEvent } from "./wire/InboundEventWire.ts"

/** How long a webhook waits for JetStream's acknowledgement before it is answered 503. */
const PUBLISH_TIMEOUT_MS = 5000
/** Events handed out to this instance and not yet acknowledged, per partition. */
const MAX_ACK_PENDING = 2048
/** An event not acknowledged in this time is delivered again (to the same owner). */
const ACK_WAIT_MS = 120_000
/** Events of one partition applied in one PostgreSQL transaction at most. */
const BATCH_MAX = 128
/** How long a partition being handed over waits for its events under way. */
const DRAIN_MS = 3000

export const NatsTransport = Layer.effect(
  Transport,
  Effect.gen(function*() {
    const { js, jsm, connected, names } = yield* Nats
    const placement = yield* PartitionLeases
    const conversations = yield* Conversations
    const database = yield* Database
    const inbox = makeInbox(database)
    const stats = { webhooks: 0, commits: 0, batches: 0, batchedEvents: 0, failedBatches: 0 }

    const unavailable = (what: string) => (cause: unknown) =>
      new IngestUnavailable({ message: `${what}: ${cause instanceof Error ? cause.message : String(cause)}` })

    const publish = (event: InboundEvent, msgID: string) =>
      js.publish(names.eventsOf(placeEvent(event, placement.partitions)), JSON.stringify(event), { msgID, timeout: PUBLISH_TIMEOUT_MS })

    const accept = (channel: Channel, parsed: ParsedWebhook) =>
      Effect.gen(function*() {
        if (parsed.events.length === 0 && parsed.rejected.length === 0) return { accepted: 0, duplicates: 0, parked: 0 }
        if (!connected()) return yield* new IngestUnavailable({ message: "NATS is not reachable: events cannot be made durable now" })
        if (parsed.rejected.length > 0) {
          // Not understood: parked in the database with the reason, for a person to look at.
          yield* database.transaction(inbox.store([{ channel, parsed: { ...parsed, events: [] } }])).pipe(
            Effect.andThen(() => database.committed()),
            Effect.mapError(unavailable("rejected items could not be stored"))
          )
        }
        const acks = yield* Effect.tryPromise({
          try: () => Promise.all(parsed.events.map((event) => publish(event, event.key))),
          catch: unavailable("JetStream did not acknowledge the events")
        })
        const duplicates = acks.filter((ack) => ack.duplicate).length
        stats.webhooks++
        stats.commits++
        return { accepted: acks.length - duplicates, duplicates, parked: parsed.rejected.length }
      })

    /** Events delivered to actors and not yet handled, per partition: a partition is handed over once they are. */
    const inFlight = new Map<number, number>()
    const count = (partition: number, delta: number) => inFlight.set(partition, (inFlight.get(partition) ?? 0) + delta)

    /** The envelope of one decoded event of `partition`: acknowledged by its actor once applied and committed (or parked). */
    const envelopeOf = (partition: number, msg: JsMsg, event: InboundEvent): Envelope => ({
      seq: msg.seq,
      event,
      owned: () => placement.owned().has(partition),
      fence: { partition, token: placement.tokenOf(partition) ?? 0 },
      handled: () => {
        count(partition, -1)
        msg.ack()
      },
      replace: (ids) => {
        if (event.kind === "template_status") return Effect.succeed(false)
        const target = partitionOf(residentPlacementKey(event.channel, event.channelAccountId, ids), placement.partitions)
        if (target === partition) return Effect.succeed(false)
        // The contact's conversations live on `target`: only its owner may apply this event.
        return Effect.tryPromise(() => js.publish(names.eventsOf(target), JSON.stringify(event), { msgID: `${event.key}:placed:${target}`, timeout: PUBLISH_TIMEOUT_MS })).pipe(
          Effect.map(() => {
            count(partition, -1)
            msg.ack()
            return true
          }),
          // Not handed on: delivered here again shortly, and tried again.
          Effect.catch(() => Effect.sync(() => {
            count(partition, -1)
            msg.nak(1000)
            return true
          }))
        )
      }
    })

    /** Decodes one delivered event; one that is not Loket's is refused (and taken off the stream). */
    const decode = (partition: number) => (msg: JsMsg): Effect.Effect<Array<Envelope>> =>
      Effect.suspend(() => {
        const decoded = decodeInboundEvent(msg.string())
        if (!decoded.ok) {
          // Not one of Loket's events (a foreign or damaged publish): never applied, and taken off
          // the stream so the partition's next events still come.
          msg.term()
          return logRefused(`event (stream seq ${msg.seq})`, msg.subject, decoded.paths, msg.data.length).pipe(Effect.as([]))
        }
        count(partition, 1)
        return Effect.succeed([envelopeOf(partition, msg, decoded.value)])
      })

    /**
     * One batch: the events (of distinct conversations) applied in one PostgreSQL transaction,
     * fenced once at its start, each by its conversation's actor; each is acknowledged by its actor
     * once the batch has committed. A batch that fails (one event's writes failed, or the commit) is
     * rolled back and its events applied again one at a time, each in a transaction of its own, so
     * a bad event is retried and parked alone. A fenced batch writes nothing and acknowledges nothing.
     */
    const applyBatch = (partition: number, openBatch: NonNullable<typeof database.openBatch>, batch: ReadonlyArray<Addressed>) =>
      Effect.gen(function*() {
        const members: Array<{ readonly addressed: Addressed; readonly member: BatchMember }> = []
        // Opened uninterruptibly and always ended (a no-op once committed): an interrupted consumer
        // (its partition lost, shutdown) leaves no transaction open holding the partition's fence.
        // Once routed, the batch's commit is awaited uninterruptibly, as the actors' work was before
        // batches: a partition being handed over first sees the batch under way committed and
        // acknowledged (a deposed owner's batch is fenced: it commits before its successor's first
        // write, or never). A member that never arrives fails the batch after BATCH_ARRIVAL_MS.
        type Outcome = { readonly opened: false; readonly failure: DatabaseUnavailable } | { readonly opened: true; readonly committed: Result.Result<void, DatabaseUnavailable> }
        const outcome = yield* Effect.acquireUseRelease(
          openBatch({ partition, token: placement.tokenOf(partition) ?? 0 }).pipe(Effect.result),
          (opened): Effect.Effect<Outcome> => {
            if (opened._tag === "Failure") return Effect.succeed({ opened: false as const, failure: opened.failure })
            const open = opened.success
            for (const addressed of batch) members.push({ addressed, member: open.member() })
            return Effect.forEach(members, ({ addressed, member }) =>
              conversations.routeAddressed(addressed, { ...addressed.envelope, batch: member }), { discard: true }).pipe(
              Effect.andThen(Effect.uninterruptible(open.commit)),
              Effect.result,
              Effect.map((committed) => ({ opened: true as const, committed }))
            )
          },
          (opened) => (opened._tag === "Failure" ? Effect.void : opened.success.rollback)
        )
        if (!outcome.opened) {
          if (outcome.failure.fenced === true) {
            return yield* Effect.logInfo(`partition ${partition}: a newer owner has written; ${batch.length} events left to it`)
          }
          // PostgreSQL refused the batch: each event on its own, retried and parked as ever.
          return yield* Effect.forEach(batch, (addressed) => conversations.routeAddressed(addressed, addressed.envelope), { discard: true })
        }
        const committed = outcome.committed
        stats.batches++
        stats.batchedEvents += batch.length
        if (committed._tag === "Success") return
        stats.failedBatches++
        // What the actors hold may have been read beside the rolled-back writes: loaded afresh.
        conversations.forget()
        const again = members.filter(({ member }) => member.mustRetry())
        yield* Effect.logWarning(`partition ${partition}: a batch of ${batch.length} events failed (${committed.failure.message}); ${again.length} applied again one at a time`)
        yield* Effect.forEach(again, ({ addressed }) => conversations.routeAddressed(addressed, addressed.envelope), { discard: true })
      })

    /**
     * Applies what a partition's consumer took (PostgreSQL): in batches, each of events of distinct
     * conversations — the first waiting event of each conversation, then the second, … (two of
     * one conversation in one batch would wait on each other: the second is its actor's next
     * message, the first waits for the batch's commit). The consumer takes its next events once
     * the batch has committed: what arrived meanwhile is the next batch. An event that changes who
     * is who (a merge, a moved number) is routed alone, between batches, as without batching.
     */
    const apply = (partition: number, envelopes: ReadonlyArray<Envelope>) =>
      Effect.gen(function*() {
        const openBatch = database.openBatch
        if (openBatch === undefined) return yield* Effect.forEach(envelopes, conversations.route, { discard: true })
        let pending = envelopes
        while (pending.length > 0) {
          const { addressed, rest } = yield* conversations.address(pending)
          const rounds: Array<Array<Addressed>> = []
          const seen = new Map<string, number>()
          for (const item of addressed) {
            const round = seen.get(item.key) ?? 0
            seen.set(item.key, round + 1)
            ;(rounds[round] ??= []).push(item)
          }
          for (const batch of rounds) yield* applyBatch(partition, openBatch, batch)
          if (rest.length === 0) return
          yield* conversations.route(rest[0]!)
          pending = rest.slice(1)
        }
      })

    /** Deletes the consumers of `partition` made under lower tokens than `token` (and this token's own, from an earlier try). */
    const deletePredecessors = (partition: number, token: number) =>
      Effect.tryPromise(async () => {
        const stale: Array<string> = []
        for await (const info of jsm.consumers.list(names.stream)) {
          const of = names.consumerToken(info.name, partition)
          if (of !== undefined && of <= token) stale.push(info.name)
        }
        for (const name of stale) await jsm.consumers.delete(names.stream, name).catch(() => false)
      }).pipe(Effect.ignore)

    /** Consumes one owned partition until interrupted (the partition was lost, or shutdown). */
    const consume = (partition: number) =>
      Effect.gen(function*() {
        const token = placement.tokenOf(partition) ?? 0
        const name = names.consumerOf(partition, token)
        // A fresh consumer per owner: it delivers, in order, all its predecessors left unacknowledged.
        // Theirs (lower tokens) go first; a successor's (a higher token: this instance was deposed and
        // does not know it yet) stays, and the stream, a work queue, refuses a second consumer of the
        // partition: this one retries until the lease says the partition is lost.
        yield* deletePredecessors(partition, token)
        yield* Effect.tryPromise(() => jsm.consumers.add(names.stream, {
          durable_name: name, filter_subject: names.eventsOf(partition), ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All, max_ack_pending: MAX_ACK_PENDING, ack_wait: nanos(ACK_WAIT_MS)
        }))
        const consumer = yield* Effect.tryPromise(() => js.consumers.get(names.stream, name))
        const messages = yield* Effect.acquireRelease(
          Effect.tryPromise(() => consumer.consume({ max_messages: 256 })),
          (messages) => Effect.sync(() => void messages.stop())
        )
        // What has arrived waits here; the partition's events are taken from it in order, as many
        // as are waiting (up to BATCH_MAX) at a time.
        const waiting = yield* Queue.unbounded<JsMsg, unknown>()
        yield* Stream.fromAsyncIterable(messages, (cause) => cause).pipe(
          Stream.runForEach((msg) => Queue.offer(waiting, msg)),
          Effect.exit,
          Effect.flatMap((exit) => Exit.isFailure(exit) ? Queue.failCause(waiting, exit.cause) : Queue.fail(waiting, new Error("the consumer's messages ended"))),
          Effect.forkScoped
        )
        return yield* Queue.takeBetween(waiting, 1, BATCH_MAX).pipe(
          Effect.flatMap((taken) => Effect.forEach(taken, decode(partition))),
          Effect.flatMap((decoded) => apply(partition, decoded.flat())),
          Effect.forever
        )
      }).pipe(
        Effect.scoped,
        Effect.tapCause((cause) => Effect.logWarning(`partition ${partition}: consumer stopped, starting again`, String(cause))),
        Effect.retry(Schedule.spaced("1 second")),
        Effect.ignore
      )

    const consumers = new Map<number, Fiber.Fiber<void>>()
    const stopConsuming = (partition: number) =>
      Effect.suspend(() => {
        const fiber = consumers.get(partition)
        consumers.delete(partition)
        return fiber === undefined ? Effect.void : Fiber.interrupt(fiber)
      })
    // Before a partition is handed to another instance (rebalancing): no new events, and the ones
    // under way applied, so the next owner's actors never run beside this one's. The lease is
    // renewed meanwhile; after DRAIN_MS what is left is delivered again to the next owner.
    yield* placement.onBeforeRelease((partition) =>
      stopConsuming(partition).pipe(
        Effect.andThen(Effect.sync(() => inFlight.get(partition) ?? 0).pipe(
          Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (n) => n <= 0 }),
          Effect.timeout(DRAIN_MS),
          Effect.ignore
        ))
      )
    )
    yield* placement.changes.pipe(
      Stream.runForEach((change) =>
        Effect.gen(function*() {
          if (change._tag === "Acquired" && !consumers.has(change.partition)) {
            consumers.set(change.partition, yield* Effect.forkScoped(consume(change.partition)))
          } else if (change._tag === "Lost") {
            yield* stopConsuming(change.partition)
            inFlight.delete(change.partition)
            // Its conversations may now change elsewhere: what this instance holds of them is stale.
            conversations.forget()
          }
        })
      ),
      Effect.forkScoped
    )

    const retryParked = (seq: number) =>
      Effect.gen(function*() {
        const envelope = yield* inbox.unpark(seq)
        if (envelope === undefined) return "not_parked" as const
        if (envelope === "rejected") return "rejected" as const
        // Back on the stream, to the partition's owner; a fresh id, so the dedupe window lets it through.
        const published = yield* Effect.tryPromise(() => publish(envelope.event, `retry:${seq}:${Date.now()}`)).pipe(Effect.result)
        if (published._tag === "Failure") {
          yield* inbox.park(seq, "NATS did not take the event back; retry again", 0)
          yield* database.committed()
          return yield* new DatabaseUnavailable({ message: "NATS did not take the event back; it stays parked, retry shortly" })
        }
        yield* database.transaction(inbox.markDone(seq))
        yield* database.committed()
        return "requeued" as const
      })

    return Transport.of({
      accept,
      ready: Effect.map(database.ping, (ok) => ok && connected()),
      cluster: () => ({
        instanceId: placement.instanceId,
        partitions: placement.partitions,
        owned: [...placement.owned()].sort((a, b) => a - b),
        leader: placement.isLeader(),
        natsConnected: connected(),
        batches: { applied: stats.batches, events: stats.batchedEvents, failed: stats.failedBatches }
      }),
      stats: () => ({ webhooks: stats.webhooks, commits: stats.commits }),
      parked: inbox.parked,
      retryParked
    })
  })
)
