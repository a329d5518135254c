/**
 * Message templates: synced from the WhatsApp Business Account at start, after every
 * `message_template_status_update` webhook and on request (POST /api/v1/templates/sync).
 */
import { Context, Effect, Layer, Queue, Schema } from "effect"
import { Database } from "../../drizzle/Database.ts"
import { makeTemplateStore, type TemplateInput, type TemplateStore } from "./TemplateStore.ts"

export class TemplateSyncFailed extends Schema.TaggedError<TemplateSyncFailed>()("TemplateSyncFailed", {
  message: Schema.String
}) {}

/** Where templates come from (WhatsApp: GET /{waba-id}/message_templates, all pages). */
export interface TemplateSource {
  readonly accountId: string
  readonly list: () => Promise<ReadonlyArray<TemplateInput>>
}

export class TemplateSourceRef extends Context.Service<TemplateSourceRef, TemplateSource | undefined>()("loket/actors/TemplateSource") {}

export class Templates extends Context.Service<Templates, {
  readonly store: TemplateStore
  /** Syncs now; answers how many templates the account has. */
  readonly sync: Effect.Effect<number, TemplateSyncFailed>
  /** Asks for a sync soon (coalesced). */
  readonly requestSync: () => void
}>()("loket/actors/Templates") {
  static readonly layer = Layer.effect(
    Templates,
    Effect.gen(function*() {
      const database = yield* Database
      const source = yield* TemplateSourceRef
      const store = makeTemplateStore(database)

      const sync = Effect.gen(function*() {
        if (source === undefined) {
          return yield* new TemplateSyncFailed({ message: "Set WHATSAPP_BUSINESS_ACCOUNT_ID and WHATSAPP_ACCESS_TOKEN to sync templates." })
        }
        const list = yield* Effect.tryPromise({
          try: () => source.list(),
          catch: (cause) => new TemplateSyncFailed({ message: `Templates could not be fetched from the Graph API: ${cause instanceof Error ? cause.message : String(cause)}` })
        })
        yield* store.replaceAll(source.accountId, list).pipe(
          Effect.andThen(() => database.committed()),
          Effect.mapError((e) => new TemplateSyncFailed({ message: `Templates could not be stored: ${e.message}` }))
        )
        return list.length
      })

      const requests = yield* Queue.sliding<true>(1)
      if (source !== undefined) {
        // At start, then whenever asked; a failure is logged and the next request tries again.
        yield* Queue.offer(requests, true)
        yield* Queue.take(requests).pipe(
          Effect.andThen(sync),
          Effect.tap((n) => Effect.logInfo(`templates synced: ${n}`)),
          Effect.catchTag("TemplateSyncFailed", (e) => Effect.logWarning(e.message)),
          Effect.forever,
          Effect.forkScoped
        )
      }
      return Templates.of({ store, sync, requestSync: () => void Queue.offerUnsafe(requests, true) })
    })
  )
}
