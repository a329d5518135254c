/** What a conversation actor is told: durable events, agents' commands, the dispatcher's results, timers. */
import type { Deferred } from "effect"
import type { Fence } from "../../drizzle/Database.ts"
import type { SendRefused, WorkRefused } from "../../domain/errors.ts"
import type { Message, MessageError, MessageSender } from "../../domain/Message.ts"
import type { OutboundContent } from "../../domain/Outbound.ts"
import type { ContactRow } from "../../drizzle/schema.ts"
import type { Envelope } from "../Inbox.ts"
import type { WorkBy, WorkCommand, WorkDone } from "./work.ts"

export interface SendCommand {
  readonly content: OutboundContent
  /** Provider id of the message to quote. */
  readonly replyTo: string | null
  readonly idempotencyKey: string | null
  /** The API token's name. */
  readonly author: string
  /** Flags such as `auto` for Loket's own messages. */
  readonly flags?: ReadonlyArray<string>
  /** Who sends it (the Message's `sender`); an agent's reply to an unassigned conversation assigns it to them. */
  readonly sender?: MessageSender | undefined
}

/** Every message may carry the partition lease it is handled under (cluster mode). */
export type ConversationMessage = (

  /** A durable event; `contact` is the resident as the dispatcher just resolved them. */
  | {
    readonly kind: "event"
    readonly envelope: Envelope
    readonly contact?: ContactRow | undefined
    /** The contact was created for this event: it has no conversation yet. */
    readonly newContact?: boolean | undefined
  }
  | { readonly kind: "send"; readonly command: SendCommand; readonly reply: Deferred.Deferred<Message, SendRefused> }
  | { readonly kind: "sent"; readonly messageId: string; readonly providerMessageId: string }
  | { readonly kind: "send-failed"; readonly messageId: string; readonly error: MessageError }
  | { readonly kind: "window-check" }
  /** Retention: the conversation is removed if it has no message left and no activity since `before` (ISO). */
  | { readonly kind: "prune-if-empty"; readonly before: string }
  /**
   * Waits between two messages until `release` (a contact merge changes this conversation
   * meanwhile), then loads the conversation afresh. In-process only: never crosses instances.
   */
  | { readonly kind: "hold"; readonly ready: Deferred.Deferred<void>; readonly release: Deferred.Deferred<void> }
  /** Assign, close, reopen, a note: answered once durable. */
  | { readonly kind: "work"; readonly command: WorkCommand; readonly by: WorkBy; readonly reply: Deferred.Deferred<WorkDone, WorkRefused> }
) & { readonly fence?: Fence | undefined }
