/** What a conversation actor's handlers work with. */
import type { Effect } from "effect"
import type { DatabaseShape } from "../../drizzle/Database.ts"
import type { ConversationRow } from "../../drizzle/schema.ts"
import type { DatabaseUnavailable } from "../../drizzle/Database.ts"
import type { AuditRecord } from "../audit/Audit.ts"
import type { DomainEvent } from "../Events.ts"
import type { Inbox } from "../Inbox.ts"
import type { TemplateStore } from "../templates/TemplateStore.ts"
import type { ConversationStore } from "./ConversationStore.ts"

export interface ConversationState {
  readonly channel: string
  readonly channelAccountId: string
  readonly contactId: string
  readonly conversation: ConversationRow | null
}

export interface ActorDeps {
  readonly database: DatabaseShape
  readonly store: ConversationStore
  readonly inbox: Inbox
  readonly templates: TemplateStore
  readonly publish: (events: ReadonlyArray<DomainEvent>) => Effect.Effect<void>
  /** Writes an audit entry; run inside the change's transaction (Audit.record). */
  readonly audit: (entry: AuditRecord) => Effect.Effect<unknown, DatabaseUnavailable>
  /** Tells the outbox dispatcher there is something to send. */
  readonly wakeOutbox: () => void
  /** Asks for a template sync (after a template status webhook). */
  readonly templatesChanged: () => void
}

