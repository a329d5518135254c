/** What a conversation actor is told: durable events, agents' commands, the dispatcher's results, timers. */
import type { Deferred } from "effect"
import type { Fence } from "../../drizzle/Database.ts"
import type { SendRefused } from "../../domain/errors.ts"
import type { Message, MessageError } from "../../domain/Message.ts"
import type { OutboundContent } from "../../domain/Outbound.ts"
import type { ContactRow } from "../../drizzle/schema.ts"
import type { Envelope } from "../Inbox.ts"

export interface SendCommand {
  readonly content: OutboundContent
  /** Provider id of the message to quote. */
  readonly replyTo: string | null
  readonly idempotencyKey: string | null
  /** The API token's name. */
  readonly author: string
  /** Flags such as `auto` for Loket's own messages. */
  readonly flags?: ReadonlyArray<string>
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
  /** A durable timer (actors/timers) is due: the actor fires it, once. */
  | { readonly kind: "timer"; readonly timerId: string }
) & { readonly fence?: Fence | undefined }
