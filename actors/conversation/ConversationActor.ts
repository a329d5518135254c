/**
 * The conversation actor: the single writer of one conversation (channel account × resident).
 * A resident's message, a delivery status — each is applied in one transaction together with
 * marking its inbox event done, then announced on the event stream.
 */
import { Cause, Effect } from "effect"
import { newConversationId, newMessageId } from "../../domain/ids.ts"
import type { Envelope } from "../Inbox.ts"
import type { InboundMessageEvent, StatusEvent } from "../../domain/InboundEvent.ts"
import { advances, toMessageStatus } from "../../domain/delivery.ts"
import type { DatabaseShape } from "../../drizzle/Database.ts"
import type { ConversationRow, MessageRow } from "../../drizzle/schema.ts"
import type { ActorBehavior } from "../ActorHost.ts"
import type { DomainEvent } from "../Events.ts"
import type { Inbox } from "../Inbox.ts"
import { makeConversationStore } from "./ConversationStore.ts"
import { contentOf, conversationToJson, messageToJson } from "./serialize.ts"

const WINDOW_MS = 24 * 60 * 60 * 1000

export interface ConversationState {
  readonly channel: string
  readonly channelAccountId: string
  readonly contactId: string
  readonly conversation: ConversationRow | null
}

/** `<channel>|<channel account>|<contact id>`: the actor's address. */
export const conversationKey = (channel: string, channelAccountId: string, contactId: string) =>
  `${channel}|${channelAccountId}|${contactId}`

export function makeConversationBehavior(
  database: DatabaseShape,
  inbox: Inbox,
  publish: (events: ReadonlyArray<DomainEvent>) => Effect.Effect<void>
): ActorBehavior<ConversationState, Envelope> {
  const store = makeConversationStore(database)

  const activate = (key: string) =>
    Effect.sync((): ConversationState => {
      const [channel = "", channelAccountId = "", contactId = ""] = key.split("|")
      return { channel, channelAccountId, contactId, conversation: store.find(channel, channelAccountId, contactId) ?? null }
    })

  const onMessage = (state: ConversationState, seq: number, event: InboundMessageEvent) =>
    Effect.suspend(() => {
      const body = event.message
      const at = body.createdAt
      const opensWindow = body.type !== "system"
      const result = database.transaction(() => {
        const now = new Date().toISOString()
        const existing = state.conversation
        const conversation: ConversationRow = existing ?? {
          id: newConversationId(), channel: state.channel, channelAccountId: state.channelAccountId,
          contactId: state.contactId, status: "open", team: null, assignee: null,
          createdAt: now, lastMessageAt: at, windowExpiresAt: null
        }
        if (existing === null) store.insertConversation(conversation)
        const row: MessageRow = {
          seq: 0, id: newMessageId(), conversationId: conversation.id, direction: "inbound", type: body.type,
          dedupeKey: event.key, providerMessageId: body.providerMessageId, createdAt: at, status: "received",
          text: body.text, replyTo: body.replyTo, content: contentOf(body), error: body.error, flags: []
        }
        const inserted = store.insertMessage(row)
        let next = conversation
        if (inserted !== undefined) {
          const windowEnd = new Date(Date.parse(at) + WINDOW_MS).toISOString()
          next = {
            ...conversation,
            status: "open",
            lastMessageAt: at > conversation.lastMessageAt ? at : conversation.lastMessageAt,
            windowExpiresAt: opensWindow && (conversation.windowExpiresAt === null || windowEnd > conversation.windowExpiresAt)
              ? windowEnd
              : conversation.windowExpiresAt
          }
          store.updateConversation(next)
        }
        inbox.markDone(seq)
        return { conversation: next, message: inserted === undefined ? undefined : { ...row, seq: inserted } }
      })
      const nextState = { ...state, conversation: result.conversation }
      if (result.message === undefined) return Effect.succeed(nextState) // a redelivery: nothing changes
      const contact = store.contact(state.contactId)!
      return publish([
        { type: "message.created", data: messageToJson(result.message) },
        { type: "conversation.updated", data: conversationToJson(result.conversation, contact) }
      ]).pipe(Effect.as(nextState))
    })

  const onStatus = (state: ConversationState, seq: number, event: StatusEvent) =>
    Effect.suspend(() => {
      const status = toMessageStatus(event.status)
      const updated = database.transaction(() => {
        const target = store.messageByProviderId(event.providerMessageId)
        let changed: MessageRow | undefined
        if (target === undefined) {
          // The message is not known (yet): keep the status until it is.
          store.insertOrphanStatus(event.key, event.providerMessageId, status, event.timestamp, event.error)
        } else if (advances(target.status as never, status)) {
          changed = { ...target, status, error: status === "failed" ? event.error : target.error }
          store.updateMessageStatus(changed)
        }
        inbox.markDone(seq)
        return changed
      })
      return (updated === undefined ? Effect.void : publish([{ type: "message.updated", data: messageToJson(updated) }])).pipe(
        Effect.as(state)
      )
    })

  const receive = (state: ConversationState, envelope: Envelope) => {
    const { event, seq } = envelope
    switch (event.kind) {
      case "message":
        return onMessage(state, seq, event)
      case "status":
        return onStatus(state, seq, event)
      default:
        return Effect.sync(() => {
          inbox.markDone(seq)
          return state
        })
    }
  }

  const onFailure = (_key: string, envelope: Envelope, cause: Cause.Cause<unknown>) =>
    Effect.sync(() => inbox.park(envelope.seq, Cause.pretty(cause), 5)).pipe(
      Effect.andThen(Effect.logError("event parked after retries", { seq: envelope.seq, kind: envelope.event.kind })),
      Effect.catchCause(() => Effect.void)
    )

  return { activate, receive, onFailure }
}
