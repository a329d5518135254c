/**
 * Canned responses (snelle antwoorden): texts agents insert by a shortcut such as `/afval`.
 * Admins manage them, every change audited in its transaction; agents read them. `{{name}}` in
 * a text stands for the resident's name (`render`), or a neutral word when it is not known.
 */
import { asc, eq } from "drizzle-orm"
import { Context, Effect, Layer, Schema } from "effect"
import { Audit, type AuditActor } from "../audit/Audit.ts"
import { newId } from "../../domain/ids.ts"
import { nowIso } from "../../domain/time.ts"
import { Database, DatabaseUnavailable } from "../../drizzle/Database.ts"
import type { CannedResponseRow } from "../../drizzle/schema.ts"

export const CannedLanguage = Schema.Literals(["nl", "en"])
export type CannedLanguage = typeof CannedLanguage.Type

export interface CannedResponse {
  readonly id: string
  readonly shortcut: string
  readonly title: string
  readonly text: string
  readonly language: CannedLanguage
}

export interface CannedInput {
  readonly shortcut: string
  readonly title: string
  readonly text: string
  readonly language: CannedLanguage
}

/** No canned response with this id: 404. */
export class CannedNotFound extends Schema.TaggedError<CannedNotFound>()("CannedNotFound", { id: Schema.String }) {}
/** Another canned response has this shortcut: 409. */
export class ShortcutTaken extends Schema.TaggedError<ShortcutTaken>()("ShortcutTaken", { shortcut: Schema.String }) {}

/** What `{{name}}` becomes when the resident's name is not known. */
export const NEUTRAL_NAME: Record<CannedLanguage, string> = { nl: "inwoner", en: "resident" }

/** The text with `{{name}}` (spaces inside the braces allowed) replaced by the resident's name, or the neutral word. */
export const renderCanned = (text: string, language: CannedLanguage, residentName: string | null): string =>
  text.replace(/\{\{\s*name\s*\}\}/g, () => (residentName !== null && residentName.trim() !== "" ? residentName.trim() : NEUTRAL_NAME[language]))

/** Shortcuts are compared lower-cased, always with their leading slash. */
export const normalizeShortcut = (shortcut: string) => {
  const s = shortcut.trim().toLowerCase()
  return s.startsWith("/") ? s : `/${s}`
}

const toView = (row: CannedResponseRow): CannedResponse =>
  ({ id: row.id, shortcut: row.shortcut, title: row.title, text: row.text, language: row.language })

const isShortcutViolation = (error: DatabaseUnavailable) =>
  /canned_responses_shortcut_unique|UNIQUE constraint failed: canned_responses\.shortcut/.test(error.constraint ?? error.message)

export class CannedResponses extends Context.Service<CannedResponses, {
  readonly list: () => Effect.Effect<ReadonlyArray<CannedResponse>, DatabaseUnavailable>
  readonly create: (input: CannedInput, by: AuditActor) => Effect.Effect<CannedResponse, ShortcutTaken | DatabaseUnavailable>
  readonly update: (id: string, changes: Partial<CannedInput>, by: AuditActor) => Effect.Effect<CannedResponse, CannedNotFound | ShortcutTaken | DatabaseUnavailable>
  readonly remove: (id: string, by: AuditActor) => Effect.Effect<void, CannedNotFound | DatabaseUnavailable>
}>()("loket/actors/CannedResponses") {
  static readonly layer = Layer.effect(
    CannedResponses,
    Effect.gen(function*() {
      const database = yield* Database
      const audit = yield* Audit
      /** One transaction: the change and its audit entry; a race on the shortcut meets the unique index (409). */
      const write = <A, E>(effect: Effect.Effect<A, E>, shortcut: string) =>
        database.transaction(effect).pipe(
          Effect.tap(() => database.committed()),
          Effect.mapError((error) => (error instanceof DatabaseUnavailable && isShortcutViolation(error) ? new ShortcutTaken({ shortcut }) : error))
        )
      const byId = (id: string) => database.one((db, t) => db.select().from(t.cannedResponses).where(eq(t.cannedResponses.id, id)))
      const shortcutFree = Effect.fn("CannedResponses.shortcutFree")(function*(shortcut: string, except?: string) {
        const row = yield* database.one((db, t) => db.select({ id: t.cannedResponses.id }).from(t.cannedResponses).where(eq(t.cannedResponses.shortcut, shortcut)))
        if (row !== undefined && row.id !== except) return yield* new ShortcutTaken({ shortcut })
      })

      const list = Effect.fn("CannedResponses.list")(function*() {
        const rows = yield* database.all((db, t) => db.select().from(t.cannedResponses).orderBy(asc(t.cannedResponses.shortcut)))
        return rows.map(toView)
      })

      const create = Effect.fn("CannedResponses.create")(function*(input: CannedInput, by: AuditActor) {
        const shortcut = normalizeShortcut(input.shortcut)
        yield* shortcutFree(shortcut)
        const now = yield* nowIso
        const row: CannedResponseRow = { id: newId("cr"), shortcut, title: input.title, text: input.text, language: input.language, createdAt: now, updatedAt: now }
        yield* write(Effect.gen(function*() {
          yield* database.run((db, t) => db.insert(t.cannedResponses).values(row))
          yield* audit.record({ actor: by, action: "canned_response.create", target: `canned_response:${row.id}`, before: null, after: toView(row) })
        }), shortcut)
        return toView(row)
      })

      const update = Effect.fn("CannedResponses.update")(function*(id: string, changes: Partial<CannedInput>, by: AuditActor) {
        const before = yield* byId(id)
        if (before === undefined) return yield* new CannedNotFound({ id })
        const shortcut = changes.shortcut === undefined ? before.shortcut : normalizeShortcut(changes.shortcut)
        if (shortcut !== before.shortcut) yield* shortcutFree(shortcut, id)
        const after: CannedResponseRow = {
          ...before, shortcut, title: changes.title ?? before.title, text: changes.text ?? before.text,
          language: changes.language ?? before.language, updatedAt: yield* nowIso
        }
        if (after.shortcut === before.shortcut && after.title === before.title && after.text === before.text && after.language === before.language) return toView(before)
        yield* write(Effect.gen(function*() {
          yield* database.run((db, t) => db.update(t.cannedResponses).set(after).where(eq(t.cannedResponses.id, id)))
          yield* audit.record({ actor: by, action: "canned_response.update", target: `canned_response:${id}`, before: toView(before), after: toView(after) })
        }), shortcut)
        return toView(after)
      })

      const remove = Effect.fn("CannedResponses.remove")(function*(id: string, by: AuditActor) {
        const before = yield* byId(id)
        if (before === undefined) return yield* new CannedNotFound({ id })
        yield* database.transaction(Effect.gen(function*() {
          yield* database.run((db, t) => db.delete(t.cannedResponses).where(eq(t.cannedResponses.id, id)))
          yield* audit.record({ actor: by, action: "canned_response.delete", target: `canned_response:${id}`, before: toView(before), after: null })
        }))
        yield* database.committed()
      })

      return CannedResponses.of({ list, create, update, remove })
    })
  )
}
