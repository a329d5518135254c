/**
 * The municipality's settings (domain/settings): read from memory on every inbound message,
 * changed by an admin (PUT/PATCH /api/v1/settings) or by LOKET_CONFIG at start. A change is
 * validated whole, written with its audit entry in one transaction, visible to `current` on
 * this instance at once and, in cluster mode, on every instance (a ring over NATS, and a
 * version check every few seconds in case a ring is lost).
 */
import { Clock, Context, Duration, Effect, Layer, Queue, Schema, Semaphore } from "effect"
import { LoketConfig } from "../../config/Config.ts"
import {
  applyMergePatch, canonicalJson, isPlainObject, resolveSettings, SETTINGS_PROBLEM_CODES, type SettingsDocument, type SettingsProblem
} from "../../domain/settings/mod.ts"
import { Database, type DatabaseUnavailable } from "../../drizzle/Database.ts"
import { Audit, type AuditActor } from "../audit/Audit.ts"
import { Templates } from "../templates/Templates.ts"
import { SettingsBell } from "./SettingsBell.ts"
import { makeSettingsStore, type StoredSettings } from "./SettingsStore.ts"

const Problem = Schema.Struct({
  path: Schema.String,
  message: Schema.String,
  code: Schema.optional(Schema.Literals(SETTINGS_PROBLEM_CODES))
})

/** A document that is not valid: every problem, each with its path. */
export class SettingsInvalid extends Schema.TaggedError<SettingsInvalid>()("SettingsInvalid", {
  message: Schema.String,
  problems: Schema.Array(Problem)
}) {}

/** Another writer (another instance) changed the row between our read and our write, five times running. */
export class SettingsConflict extends Schema.TaggedError<SettingsConflict>()("SettingsConflict", {
  message: Schema.String
}) {}

/** How often an instance compares its version with the database's (the fallback for a lost ring). */
export const SETTINGS_VERSION_CHECK = Duration.seconds(5)

const invalid = (problems: ReadonlyArray<SettingsProblem>) =>
  new SettingsInvalid({
    message: `The settings are not valid: ${problems.map((p) => `${p.path === "" ? "(document)" : p.path}: ${p.message}`).join("; ")}`,
    problems: [...problems]
  })

export interface SettingsState {
  readonly document: SettingsDocument
  readonly version: number
}

export class Settings extends Context.Service<Settings, {
  /** The whole document, defaults filled in: from memory, no database read. */
  readonly current: Effect.Effect<SettingsDocument>
  /** The document with its version (0 on a fresh install). */
  readonly state: Effect.Effect<SettingsState>
  /** Replaces the document (keys left out take their defaults); audited as `settings.replace`. */
  readonly replace: (document: unknown, actor: AuditActor) => Effect.Effect<SettingsDocument, SettingsInvalid | SettingsConflict | DatabaseUnavailable>
  /** Applies a JSON merge patch (RFC 7386; `null` puts a key back to its default); audited as `settings.update`. */
  readonly patch: (mergePatch: unknown, actor: AuditActor) => Effect.Effect<SettingsDocument, SettingsInvalid | SettingsConflict | DatabaseUnavailable>
  /** Checks a document without storing it (LOKET_CONFIG at start). */
  readonly validate: (document: unknown) => Effect.Effect<SettingsDocument, SettingsInvalid | DatabaseUnavailable>
  /** Re-reads the stored version now (what a ring or the periodic check does). */
  readonly refresh: Effect.Effect<void, DatabaseUnavailable>
}>()("loket/actors/settings/Settings") {
  static readonly layer = Layer.effect(
    Settings,
    Effect.gen(function*() {
      const config = yield* LoketConfig
      const database = yield* Database
      const templates = yield* Templates
      const audit = yield* Audit
      const bell = yield* SettingsBell
      const store = makeSettingsStore(database)
      const timezone = config.timezone
      const writes = yield* Semaphore.make(1)

      /** The stored row as a state; a row this Loket cannot read (a newer Loket's key, a hand edit) is refused. */
      const resolveStored = (stored: StoredSettings): Effect.Effect<SettingsState, SettingsInvalid> => {
        const resolved = resolveSettings(stored.document, timezone)
        return resolved.ok ? Effect.succeed({ document: resolved.document, version: stored.version }) : Effect.fail(invalid(resolved.problems))
      }

      const first = yield* store.read
      let state: SettingsState = yield* resolveStored(first).pipe(
        Effect.catchTag("SettingsInvalid", (e) =>
          Effect.logWarning(`Loket: the stored settings (version ${first.version}) are not valid for this version of Loket; defaults are used until they are changed: ${e.message}`).pipe(
            Effect.as({ document: resolveDefaults(timezone), version: first.version })
          ))
      )

      const adopt = (next: SettingsState) => {
        if (next.version > state.version) state = next
      }

      const refresh = Effect.gen(function*() {
        const version = yield* store.version
        if (version <= state.version) return
        const stored = yield* store.read
        yield* resolveStored(stored).pipe(
          Effect.map(adopt),
          Effect.catchTag("SettingsInvalid", (e) => Effect.logWarning(`Loket: settings version ${stored.version} is not valid here and is not used: ${e.message}`))
        )
      }).pipe(Effect.withSpan("Settings.refresh"))

      /** The followUp template must be synced and APPROVED while followUp is enabled. */
      const checkTemplates = Effect.fn("Settings.checkTemplates")(function*(document: SettingsDocument) {
        if (!document.followUp.enabled) return
        const { name, language } = document.followUp.template
        const found = yield* templates.store.find(name, language)
        if (found === undefined) {
          const approved = (yield* templates.store.list()).filter((t) => t.status === "APPROVED").map((t) => `${t.name} (${t.language})`)
          return yield* invalid([{
            path: "followUp.template.name",
            code: "template_not_synced",
            message: `no synced template ${JSON.stringify(name)} in language ${JSON.stringify(language)}; ${approved.length === 0 ? "no approved templates are synced yet (POST /api/v1/templates/sync)" : `approved templates: ${approved.slice(0, 20).join(", ")}`}`
          }])
        }
        if (found.status !== "APPROVED") {
          return yield* invalid([{ path: "followUp.template.name", code: "template_not_approved", message: `template ${JSON.stringify(name)} (${language}) is ${found.status}; it must be APPROVED by Meta while followUp is enabled` }])
        }
      })

      const validate = Effect.fn("Settings.validate")(function*(document: unknown) {
        const resolved = resolveSettings(document, timezone)
        if (!resolved.ok) return yield* invalid(resolved.problems)
        yield* checkTemplates(resolved.document)
        return resolved.document
      })

      /** One change: read the row, compute, validate, write with its audit entry at the version read. */
      const change = (action: string, actor: AuditActor, next: (stored: Record<string, unknown>) => unknown) =>
        Effect.gen(function*() {
          const before = yield* store.read
          const proposed = next(before.document)
          const document = yield* validate(proposed)
          // Nothing changes (the same document again, an empty patch): no new version, no audit entry.
          if (canonicalJson(proposed) === canonicalJson(before.document) && before.version > 0) {
            yield* refresh
            return document
          }
          const beforeDocument = before.version === state.version ? state.document : resolveOrDefaults(before.document, timezone)
          const at = new Date(yield* Clock.currentTimeMillis).toISOString()
          yield* database.transaction(Effect.gen(function*() {
            const written = yield* store.write(before.version, proposed as Record<string, unknown>, at, actor.name)
            if (!written) return yield* new SettingsConflict({ message: "The settings were changed by someone else at the same moment; read them again and retry." })
            yield* audit.record({ actor, action, target: "settings", before: beforeDocument, after: document })
          }))
          yield* database.committed()
          const version = before.version + 1
          adopt({ document, version })
          bell.ring(version)
          return document
        }).pipe(
          Effect.retry({ times: 5, while: (e) => e._tag === "SettingsConflict" }),
          writes.withPermit
        )

      const replace = Effect.fn("Settings.replace")(function*(document: unknown, actor: AuditActor) {
        if (!isPlainObject(document)) return yield* invalid([{ path: "", message: "expected the settings as a JSON object" }])
        return yield* change("settings.replace", actor, () => document)
      })

      const patch = Effect.fn("Settings.patch")(function*(mergePatch: unknown, actor: AuditActor) {
        if (!isPlainObject(mergePatch)) return yield* invalid([{ path: "", message: "expected a JSON merge patch object, e.g. {\"language\":\"en\"}" }])
        return yield* change("settings.update", actor, (stored) => applyMergePatch(stored, mergePatch))
      })

      // Rings from other instances, and the periodic check for a ring that got lost.
      const rings = yield* Queue.sliding<number>(1)
      const stop = bell.onRing((version) => {
        if (version > state.version) Queue.offerUnsafe(rings, version)
      })
      yield* Effect.addFinalizer(() => Effect.sync(stop))
      const refreshQuietly = refresh.pipe(Effect.catchTag("DatabaseUnavailable", (e) => Effect.logWarning(`Loket: settings could not be re-read: ${e.message}`)))
      yield* Queue.take(rings).pipe(Effect.andThen(refreshQuietly), Effect.forever, Effect.forkScoped)
      // The state was just read: the first check is one interval from now.
      yield* refreshQuietly.pipe(Effect.delay(SETTINGS_VERSION_CHECK), Effect.forever, Effect.forkScoped)

      return Settings.of({
        current: Effect.sync(() => state.document),
        state: Effect.sync(() => state),
        replace,
        patch,
        validate,
        refresh
      })
    })
  )
}

function resolveDefaults(timezone: string): SettingsDocument {
  const resolved = resolveSettings({}, timezone)
  if (!resolved.ok) throw new Error(`Loket: the default settings are not valid: ${JSON.stringify(resolved.problems)}`)
  return resolved.document
}

const resolveOrDefaults = (stored: unknown, timezone: string): SettingsDocument => {
  const resolved = resolveSettings(stored, timezone)
  return resolved.ok ? resolved.document : resolveDefaults(timezone)
}
