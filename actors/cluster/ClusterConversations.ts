/**
 * Cluster mode: an agent's send, the dispatcher's results and the window watch reach a
 * conversation's actor on whichever instance owns its partition. Owned here: told directly.
 * Elsewhere: a NATS request to the partition's command subject, which only its owner listens
 * on; while no instance owns it (a failover under way) the request is tried again for up to
 * `COMMAND_PATIENCE_MS`.
 */
import { randomUUID } from "node:crypto"
import { eq } from "drizzle-orm"
import { Effect, Layer, Schedule, Stream } from "effect"
import type { Msg, Subscription } from "nats"
import { SendRefused, WorkRefused } from "../../domain/errors.ts"
import type { Message } from "../../domain/Message.ts"
import { Database } from "../../drizzle/Database.ts"
import { Conversations } from "../Conversations.ts"
import type { ConversationMessage, SendCommand } from "../conversation/protocol.ts"
import { type Answer, type Command, decodeAnswer, decodeCommand } from "./wire/CommandWire.ts"
import { logRefused } from "./wire/decodeWire.ts"
import type { WorkBy, WorkCommand, WorkDone } from "../conversation/work.ts"
import { Nats } from "./Nats.ts"
import { partitionOf } from "./partitionOf.ts"
import { PartitionLeases } from "./PartitionLeases.ts"
import { residentPlacementKey } from "./Placement.ts"

/** How long a command waits for an owner of its conversation's partition (failover takes about the lease time). */
const COMMAND_PATIENCE_MS = 15_000
const REQUEST_TIMEOUT_MS = 10_000

class NotOwnerNow {
  readonly _tag = "NotOwnerNow"
}

export const ClusterConversations = Layer.effect(
  Conversations,
  Effect.gen(function*() {
    const local = yield* Conversations
    const { nc, names } = yield* Nats
    const placement = yield* PartitionLeases
    const database = yield* Database

    const contactPartition = (channel: string, account: string, contactId: string) =>
      database.one((db, t) => db.select().from(t.contacts).where(eq(t.contacts.id, contactId))).pipe(
        Effect.map((contact) => contact === undefined ? undefined : partitionOf(residentPlacementKey(channel, account, contact), placement.partitions))
      )
    const partitionOfKey = (key: string) => {
      const [channel = "", account = "", contactId = ""] = key.split("|")
      return account === "templates" ? Effect.succeed(partitionOf(key, placement.partitions)) : contactPartition(channel, account, contactId)
    }

    /** Runs a command here, as the owner of `partition`: under its lease (fenced by its token). */
    const runHere = (partition: number, command: Command): Effect.Effect<Answer> => {
      const fence = { partition, token: placement.tokenOf(partition) ?? 0 }
      const refusedAnswer = (refused: SendRefused | WorkRefused) =>
        Effect.succeed<Answer>({ refused: { code: refused.code, status: refused.status, message: refused.message, ...(refused.details ? { details: refused.details } : {}) } })
      switch (command.op) {
        case "send":
          return local.send(command.conversationId, command.command, fence).pipe(Effect.map((message): Answer => ({ ok: message })), Effect.catch(refusedAnswer))
        case "work":
          return local.work(command.conversationId, command.command, command.by, fence).pipe(Effect.map((done): Answer => ({ ok: done })), Effect.catch(refusedAnswer))
        case "tell":
          return local.tell(command.key, { ...command.message, fence }).pipe(Effect.as<Answer>({ ok: true }))
      }
    }

    /** Sends a command to the owner of `partition` (here or elsewhere), waiting out a failover. */
    const dispatch = (partition: number, command: Command): Effect.Effect<Answer> =>
      Effect.suspend(() => {
        if (placement.owned().has(partition)) return runHere(partition, command)
        return Effect.tryPromise({
          try: () => nc.request(names.commandsOf(partition), JSON.stringify(command), { timeout: REQUEST_TIMEOUT_MS }),
          catch: () => new NotOwnerNow()
        }).pipe(
          Effect.flatMap((reply) => {
            const answer = decodeAnswer(reply.string())
            // An answer that is not Loket's counts as no answer: asked again until an owner answers.
            if (!answer.ok) return logRefused("command answer", reply.subject, answer.paths, reply.data.length).pipe(Effect.andThen(Effect.fail(new NotOwnerNow())))
            return "notOwner" in answer.value ? Effect.fail(new NotOwnerNow()) : Effect.succeed(answer.value)
          })
        )
      }).pipe(
        // Bounded by time, not by tries: a request that times out takes REQUEST_TIMEOUT_MS, not 250 ms.
        Effect.retry(Schedule.spaced("250 millis").pipe(Schedule.upTo({ duration: COMMAND_PATIENCE_MS }))),
        Effect.catch(() => Effect.succeed<Answer>({
          refused: { code: "conversation_unavailable", status: 503, message: "No Loket instance hosts this conversation right now; try again shortly." }
        }))
      )

    const send = (conversationId: string, command: SendCommand) =>
      Effect.gen(function*() {
        const row = yield* database.one((db, t) => db.select().from(t.conversations).where(eq(t.conversations.id, conversationId))).pipe(
          Effect.mapError((e) => new SendRefused({ code: "database_unavailable", status: 503, message: e.message }))
        )
        if (row === undefined) {
          return yield* new SendRefused({ code: "conversation_not_found", status: 404, message: `No conversation with id ${conversationId}.` })
        }
        const partition = yield* contactPartition(row.channel, row.channelAccountId, row.contactId).pipe(
          Effect.mapError((e) => new SendRefused({ code: "database_unavailable", status: 503, message: e.message }))
        )
        if (partition === undefined) return yield* local.send(conversationId, command)
        // A request may be answered after it timed out and be tried again: the key makes the retry harmless.
        const keyed = command.idempotencyKey === null ? { ...command, idempotencyKey: `cluster:${randomUUID()}` } : command
        const answer = yield* dispatch(partition, { op: "send", conversationId, command: keyed })
        if ("refused" in answer) return yield* new SendRefused({ ...answer.refused, ...(answer.refused.details ? { details: [...answer.refused.details] } : {}) })
        return (answer as { ok: Message }).ok
      })

    const work = (conversationId: string, command: WorkCommand, by: WorkBy) =>
      Effect.gen(function*() {
        const unavailable = (e: { message: string }) => new WorkRefused({ code: "database_unavailable", status: 503, message: e.message })
        const row = yield* database.one((db, t) => db.select().from(t.conversations).where(eq(t.conversations.id, conversationId))).pipe(Effect.mapError(unavailable))
        if (row === undefined) {
          return yield* new WorkRefused({ code: "conversation_not_found", status: 404, message: `No conversation with id ${conversationId}.` })
        }
        const partition = yield* contactPartition(row.channel, row.channelAccountId, row.contactId).pipe(Effect.mapError(unavailable))
        if (partition === undefined) return yield* local.work(conversationId, command, by)
        // A request may be answered after it timed out and be tried again: a note's key makes the retry harmless
        // (assign, close and reopen are idempotent by themselves).
        const keyed = command.op === "note" && command.idempotencyKey === null ? { ...command, idempotencyKey: `cluster:${randomUUID()}` } : command
        const answer = yield* dispatch(partition, { op: "work", conversationId, command: keyed, by })
        if ("refused" in answer) return yield* new WorkRefused({ ...answer.refused, ...(answer.refused.details ? { details: [...answer.refused.details] } : {}) })
        return (answer as { ok: WorkDone }).ok
      })

    const tell = (key: string, message: ConversationMessage) =>
      message.kind === "event" || message.kind === "send" || message.kind === "hold" || message.kind === "work"
        ? local.tell(key, message) // carries a reply channel or a stream message: only ever told by this instance's own owner side
        : partitionOfKey(key).pipe(
          Effect.flatMap((partition) => (partition === undefined ? local.tell(key, message) : dispatch(partition, { op: "tell", key, message }))),
          Effect.catchCause((cause) => Effect.logError("a conversation could not be told", { key, kind: message.kind, cause: String(cause) })),
          Effect.asVoid
        )

    const respond = (msg: Msg, answer: Answer) => void msg.respond(JSON.stringify(answer))

    // Listen for commands on the subjects of the partitions owned here.
    const subscriptions = new Map<number, Subscription>()
    const listen = (partition: number) =>
      nc.subscribe(names.commandsOf(partition), {
        callback: function answerCommand(error, msg) {
          if (error !== null) return
          const command = decodeCommand(msg.string())
          if (!command.ok) {
            // Not Loket's (or forged): not run, and no answer (the asker times out).
            Effect.runFork(logRefused("command", msg.subject, command.paths, msg.data.length))
            return
          }
          const answer = placement.owned().has(partition) ? runHere(partition, command.value) : Effect.succeed<Answer>({ notOwner: true })
          Effect.runPromise(answer).then((a) => respond(msg, a), () => respond(msg, { notOwner: true }))
        }
      })
    yield* placement.changes.pipe(
      Stream.runForEach((change) =>
        Effect.sync(() => {
          if (change._tag === "Acquired" && !subscriptions.has(change.partition)) subscriptions.set(change.partition, listen(change.partition))
          if (change._tag === "Lost") {
            subscriptions.get(change.partition)?.unsubscribe()
            subscriptions.delete(change.partition)
          }
        })
      ),
      Effect.forkScoped
    )
    yield* Effect.addFinalizer(() => Effect.sync(() => subscriptions.forEach((s) => s.unsubscribe())))

    return Conversations.of({ ...local, send, work, tell })
  })
)
