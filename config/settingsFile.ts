/**
 * `LOKET_CONFIG=<file.json|yaml|yml>`: the settings document as a file (config as code). Read
 * and checked before the gateway starts; every problem is one line naming the file's key.
 */
import { readFileSync } from "node:fs"
import { parse as parseYaml } from "yaml"
import { resolveSettings } from "../domain/settings/mod.ts"

export type SettingsFile = { readonly ok: true; readonly document: Record<string, unknown> } | { readonly ok: false; readonly lines: Array<string> }

export const settingsFileLine = (path: string, message: string) => `LOKET_CONFIG ${path === "" ? "(document)" : path}: ${message}`

/** Reads, parses (JSON or YAML by the extension) and validates the file; `timezone` gives the defaults. */
export function readSettingsFile(file: string, timezone: string): SettingsFile {
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch (error) {
    return { ok: false, lines: [`LOKET_CONFIG: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (check the path)`] }
  }
  let document: unknown
  try {
    document = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text)
  } catch (error) {
    const kind = /\.json$/i.test(file) ? "JSON" : "YAML"
    return { ok: false, lines: [`LOKET_CONFIG: ${file} is not valid ${kind}: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`] }
  }
  const resolved = resolveSettings(document ?? {}, timezone)
  if (!resolved.ok) return { ok: false, lines: resolved.problems.map((p) => settingsFileLine(p.path, p.message)) }
  return { ok: true, document: document as Record<string, unknown> }
}
