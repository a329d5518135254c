/**
 * The conversation actors of this process, and how everything reaches them: durable events
 * (the resident resolved to one contact first), agents' sends, the dispatcher's results and
 * the window timer — each to the one actor of (channel account, contact).
 */
import { Cause, Context, Deferred, Effect, Layer } from "effect"
import { SendRefused, WorkRefused } from "../domain/errors.ts"
import type { Message } from "../domain/Message.ts"
import { Database, type DatabaseUnavailable, type Fence } from "../drizzle/Database.ts"
import type { ContactRow, ConversationRow } from "../drizzle/schema.ts"
import { LoketConfig } from "../config/Config.ts"
import { eq, sql } from "drizzle-orm"
import { defaultRetry, makeActorHost } from "./ActorHost.ts"
import { makeContactDirectory } from "./ContactDirectory.ts"
import { makeConversationStore } from "./conversation/ConversationStore.ts"
import { conversationKey, makeConversationBehavior, parkEnvelope } from "./conversation/ConversationActor.ts"
import type { ConversationMessage, SendCommand } from "./conversation/protocol.ts"
import { conversationToJson } from "./conversation/serialize.ts"
import { nowMillis } from "../domain/time.ts"
import type { WorkBy, WorkCommand, WorkDone } from "./conversation/work.ts"
import { Audit } from "./audit/Audit.ts"
import { Events } from "./Events.ts"
import { type Envelope, makeInbox } from "./Inbox.ts"
import { OutboxSignal } from "./outbox/OutboxSignal.ts"
import { Templates } from "./templates/Templates.ts"
import { ResidentSafety } from "./safety/ResidentSafety.ts"
import { Settings } from "./settings/Settings.ts"

const MAILBOX_SIZE = 256

/** Where a conversation's actor lives, when the caller has just read the conversation (cluster mode): not read again. */
export interface KnownConversation {
  readonly channel: string
  readonly channelAccountId: string
  readonly contactId: string
}

/** An event whose resident is resolved: the actor it goes to. */
export interface Addressed {
  readonly envelope: Envelope
  readonly key: string
  readonly contact?: ContactRow | undefined
  readonly newContact?: boolean | undefined
}

export class Conversations extends Context.Service<Conversations, {
  /** Routes a durable event to its conversation's actor (waits while that mailbox is full). */
  route(envelope: Envelope): Effect.Effect<void>
  /**
   * Cluster mode, a partition's waiting events: resolves their residents together (one look-up,
   * new contacts in one insert), in order, up to the first event that changes who is who; that
   * one and those after it are the `rest`, for `route` one at a time.
   */
  address(envelopes: ReadonlyArray<Envelope>): Effect.Effect<{ readonly addressed: Array<Addressed>; readonly rest: Array<Envelope> }>
  /** Routes an event `address` resolved, as `route` does once it has resolved it (`envelope` may carry a batch member now). */
  routeAddressed(addressed: Addressed, envelope: Envelope): Effect.Effect<void>
  /** An agent's send, through the conversation's actor: answered once it is durable (`fence`: cluster mode's lease). */
  send(conversationId: string, command: SendCommand, fence?: Fence, known?: KnownConversation): Effect.Effect<Message, SendRefused>
  /** Assign, close, reopen or a note, through the conversation's actor: answered once durable (with its audit entry). */
  work(conversationId: string, command: WorkCommand, by: WorkBy, fence?: Fence): Effect.Effect<WorkDone, WorkRefused>
  /** Tells the actor at `key` (`conversationKey(…)`) something. */
  tell(key: string, message: ConversationMessage): Effect.Effect<void>
  /** Conversation actors in memory now. */
  readonly active: () => number
  /**
   * Forgets every actor's state and the contacts cache: the next message loads them afresh
   * (cluster mode: after partitions moved, other instances may have changed them).
   */
  readonly forget: () => void
}>()("loket/actors/Conversations") {
  static readonly layer = Layer.effect(
    Conversations,
    Effect.gen(function*() {
      const database = yield* Database
      const config = yield* LoketConfig
      const events = yield* Events
      const signal = yield* OutboxSignal
      const templates = yield* Templates
      const safety = yield* ResidentSafety
      const audit = yield* Audit
      const settings = yield* Settings
      const inbox = makeInbox(database)
      const store = makeConversationStore(database)
      const behavior = makeConversationBehavior({
        database, store, inbox, templates: templates.store, publish: events.publish, audit: audit.record,
        wakeOutbox: signal.wake, templatesChanged: templates.requestSync, safety: safety.current,
        settings: settings.current
      })
      const host = yield* makeActorHost(behavior, {
        mailboxSize: MAILBOX_SIZE,
        idleTimeoutMs: config.actorIdleSeconds * 1000,
        retry: defaultRetry
      })

      /** Holds each actor in key order (two merges at once cannot wait on each other), each once parked. */
      const holdActors = (keys: ReadonlyArray<string>) =>
        Effect.gen(function*() {
          const release = yield* Deferred.make<void>()
          const letGo = Deferred.succeed(release, undefined).pipe(Effect.asVoid)
          yield* Effect.forEach(keys, (key) =>
            Effect.gen(function*() {
              const ready = yield* Deferred.make<void>()
              yield* host.tell(key, { kind: "hold", ready, release })
              yield* Deferred.await(ready)
            }), { discard: true }).pipe(Effect.onInterrupt(() => letGo)) // never leave an actor held
          return letGo
        })
      const directory = makeContactDirectory(database, holdActors)

      type Address = { key: string; contact?: ContactRow; newContact?: boolean }
      const addressOf = (envelope: Envelope): Effect.Effect<Address, DatabaseUnavailable> => {
        const event = envelope.event
        if (event.kind === "template_status") return Effect.succeed({ key: `${event.channel}|templates|${event.accountId}` })
        // A system message may announce the resident's new number or user id.
        const notice = event.kind === "message" ? event.message.system : undefined
        // Cluster mode: another instance may have merged or changed the contact; the cache cannot know.
        return directory.resolve(event.channel, event.resident, notice, { fresh: envelope.replace !== undefined }).pipe(
          Effect.tap(({ contact, merged }) =>
            merged.length === 0 ? Effect.void : Effect.flatMap(nowMillis, (now) =>
              events.publish(merged.map((row) => ({ type: "conversation.updated" as const, data: conversationToJson(row, contact, now) }))))
          ),
          Effect.map(({ contact, created }) => ({ key: conversationKey(event.channel, event.channelAccountId, contact.id), contact, newContact: created }))
        )
      }

      const tellResolved = (envelope: Envelope, { key, contact, newContact }: Address): Effect.Effect<void> =>
        contact === undefined || envelope.replace === undefined
          ? host.tell(key, { kind: "event", envelope, contact, newContact })
          : envelope.replace(contact).pipe(Effect.flatMap((moved) => {
            if (!moved) return host.tell(key, { kind: "event", envelope, contact, newContact })
            envelope.batch?.arrive()
            return Effect.void
          }))

      const route = (envelope: Envelope) =>
        Effect.suspend(() => addressOf(envelope)).pipe(
          Effect.retry(defaultRetry),
          Effect.matchCauseEffect({
            onSuccess: (address) => tellResolved(envelope, address),
            onFailure: (cause) =>
              parkEnvelope(inbox, envelope, Cause.pretty(cause)).pipe(
                Effect.andThen(Effect.logError("event parked: its resident could not be resolved", { seq: envelope.seq })),
                Effect.catchCause(() => Effect.void)
              )
          })
        )

      const address = (envelopes: ReadonlyArray<Envelope>) =>
        Effect.gen(function*() {
          const items = envelopes.flatMap((envelope, at) => {
            const event = envelope.event
            if (event.kind === "template_status") return []
            return [{ at, channel: event.channel, resident: event.resident, notice: event.kind === "message" ? event.message.system : undefined }]
          })
          // Not resolved together (the database refused): each is resolved on its own, by `route`.
          const resolved = yield* directory.resolveBatch(items).pipe(
            Effect.retry(defaultRetry),
            Effect.catchCause((cause) => Effect.logWarning("a batch's residents could not be resolved together", Cause.pretty(cause)).pipe(Effect.as([])))
          )
          const stop = resolved.length < items.length ? items[resolved.length]!.at : envelopes.length
          const addressed: Array<Addressed> = []
          let next = 0
          for (const envelope of envelopes.slice(0, stop)) {
            const event = envelope.event
            if (event.kind === "template_status") {
              addressed.push({ envelope, key: `${event.channel}|templates|${event.accountId}` })
              continue
            }
            const { contact, created } = resolved[next++]!
            addressed.push({ envelope, key: conversationKey(event.channel, event.channelAccountId, contact.id), contact, newContact: created })
          }
          return { addressed, rest: envelopes.slice(stop) }
        })

      const routeAddressed = (addressed: Addressed, envelope: Envelope) => tellResolved(envelope, addressed)

      const conversationById = database.prepare.one((db, t) => db.select().from(t.conversations).where(eq(t.conversations.id, sql.placeholder("id"))))
      const send = (conversationId: string, command: SendCommand, fence?: Fence, known?: KnownConversation) =>
        Effect.gen(function*() {
          const row = known ?? (yield* conversationById({ id: conversationId }).pipe(
            Effect.mapError((e) => new SendRefused({ code: "database_unavailable", status: 503, message: e.message }))
          )) as ConversationRow | undefined
          if (row === undefined) {
            return yield* new SendRefused({ code: "conversation_not_found", status: 404, message: `No conversation with id ${conversationId}.` })
          }
          const reply = yield* Deferred.make<Message, SendRefused>()
          yield* host.tell(conversationKey(row.channel, row.channelAccountId, row.contactId), { kind: "send", command, reply, fence })
          return yield* Deferred.await(reply)
        })

      const work = (conversationId: string, command: WorkCommand, by: WorkBy, fence?: Fence) =>
        Effect.gen(function*() {
          const row = yield* conversationById({ id: conversationId }).pipe(
            Effect.mapError((e) => new WorkRefused({ code: "database_unavailable", status: 503, message: e.message }))
          )
          if (row === undefined) {
            return yield* new WorkRefused({ code: "conversation_not_found", status: 404, message: `No conversation with id ${conversationId}.` })
          }
          const reply = yield* Deferred.make<WorkDone, WorkRefused>()
          yield* host.tell(conversationKey(row.channel, row.channelAccountId, row.contactId), { kind: "work", command, by, reply, fence })
          return yield* Deferred.await(reply)
        })

      const forget = () => {
        host.forget()
        directory.forget()
      }
      return Conversations.of({ route, address, routeAddressed, send, work, tell: host.tell, active: host.active, forget })
    })
  )
}
