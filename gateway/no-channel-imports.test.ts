/**
 * Arrows point down and channels stay out of the gateway: no file under gateway/ that ships imports a
 * channel's folder under adapters/ (adapters/whatsapp-cloud/, adapters/telegram/, …). The gateway
 * knows channels only through adapters/ChannelAdapter.ts and adapters/registry.ts (gateway/channels.ts),
 * so adding a channel never touches gateway/. Test files may drive a real channel through a gateway
 * route (gateway/api/media/routes.test.ts does); they do not ship.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { describe, expect, it } from "vitest"

const ROOT = resolve(import.meta.dirname, "..")
const ADAPTERS = join(ROOT, "adapters")

/** The channel folders: every directory directly under adapters/. */
const channelFolders = () => readdirSync(ADAPTERS).filter((name) => statSync(join(ADAPTERS, name)).isDirectory())

/** Every module specifier a TypeScript source names: `import … from`, `export … from`, `import "…"`, `import("…")`. */
function importedSpecifiers(source: string): Array<string> {
  const found: Array<string> = []
  const patterns = [/\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g]
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!)
  return found
}

/** The channel folder `specifier` (imported from `file`) points into, if any. */
function channelFolderOf(file: string, specifier: string, folders: ReadonlyArray<string>): string | undefined {
  if (!specifier.startsWith(".")) return undefined
  const target = relative(ADAPTERS, resolve(dirname(file), specifier))
  if (target.startsWith("..")) return undefined
  const [first, ...rest] = target.split(sep)
  return rest.length > 0 && folders.includes(first!) ? first : undefined
}

function shippedSources(dir: string): Array<string> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return shippedSources(path)
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : []
  })
}

function violations(files: ReadonlyArray<{ path: string; source: string }>): Array<string> {
  const folders = channelFolders()
  return files.flatMap(({ path, source }) =>
    importedSpecifiers(source).flatMap((specifier) => {
      const folder = channelFolderOf(path, specifier, folders)
      return folder === undefined ? [] : [`${relative(ROOT, path)} imports ${specifier} (adapters/${folder}/)`]
    })
  )
}

describe("gateway/ and the channels", () => {
  it("no file under gateway/ imports a channel folder under adapters/", () => {
    const files = shippedSources(join(ROOT, "gateway")).map((path) => ({ path, source: readFileSync(path, "utf8") }))
    expect(files.length).toBeGreaterThan(20)
    expect(violations(files)).toEqual([])
  })

  it("catches every way of importing one, and lets the channel interface and the registry through", () => {
    const path = join(ROOT, "gateway", "api", "example", "routes.ts")
    const source = [
      `import { a } from "../../../adapters/whatsapp-cloud/media/graph-media.ts"`,
      `export { b } from '../../../adapters/telegram/mod.ts'`,
      `import "../../../adapters/sms/send.ts"`,
      `const c = await import("../../../adapters/whatsapp-cloud/mod.ts")`,
      `import type { ChannelAdapter } from "../../../adapters/ChannelAdapter.ts"`,
      `import { makeChannelAdapters } from "../../../adapters/registry.ts"`,
      `import { Hono } from "hono"`
    ].join("\n")
    expect(violations([{ path, source }])).toEqual([
      "gateway/api/example/routes.ts imports ../../../adapters/whatsapp-cloud/media/graph-media.ts (adapters/whatsapp-cloud/)",
      "gateway/api/example/routes.ts imports ../../../adapters/telegram/mod.ts (adapters/telegram/)",
      "gateway/api/example/routes.ts imports ../../../adapters/sms/send.ts (adapters/sms/)",
      "gateway/api/example/routes.ts imports ../../../adapters/whatsapp-cloud/mod.ts (adapters/whatsapp-cloud/)"
    ])
  })
})
