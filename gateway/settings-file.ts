/**
 * LOKET_CONFIG at start: the file's settings replace the stored ones when they differ (audited
 * with actor `LOKET_CONFIG`; the same document again is no change). A followUp template that is not synced yet gets one sync first.
 */
import { Effect } from "effect"
import { Settings, type SettingsInvalid } from "../actors/settings/Settings.ts"
import { Templates } from "../actors/templates/Templates.ts"
import { settingsFileLine } from "../config/settingsFile.ts"
import type { AppRuntime } from "./Runtime.ts"

export const CONFIG_ACTOR = { kind: "config", id: "LOKET_CONFIG", name: "LOKET_CONFIG" } as const

export type Applied = { readonly ok: true; readonly changed: boolean } | { readonly ok: false; readonly lines: Array<string> }

const needsTemplates = (error: SettingsInvalid) => error.problems.some((p) => p.path.startsWith("followUp.template"))

export async function applySettingsFile(runtime: AppRuntime, document: Record<string, unknown>): Promise<Applied> {
  const apply = Effect.gen(function*() {
    const settings = yield* Settings
    const templates = yield* Templates
    yield* settings.validate(document).pipe(
      Effect.catchTag("SettingsInvalid", (error) =>
        needsTemplates(error)
          ? templates.sync.pipe(Effect.ignore, Effect.andThen(settings.validate(document)))
          : Effect.fail(error))
    )
    // The file is the source of truth: it replaces what is stored unless that is the same document already.
    const { version } = yield* settings.state
    yield* settings.replace(document, CONFIG_ACTOR)
    return { ok: true, changed: (yield* settings.state).version > version } as const
  })
  const result = await runtime.runPromise(Effect.result(apply))
  if (result._tag === "Success") return result.success
  const error = result.failure
  return error._tag === "SettingsInvalid"
    ? { ok: false, lines: error.problems.map((p) => settingsFileLine(p.path, p.message)) }
    : { ok: false, lines: [`LOKET_CONFIG: the settings could not be stored: ${error.message}`] }
}
