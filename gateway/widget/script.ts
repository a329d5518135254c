/**
 * The widget script served as `GET /widget.js`: read from `widget.js` beside the running bundle
 * (`npm run build` writes dist/widget.js), else — `npm start` and the tests run the TypeScript
 * sources — built once from web-widget/ with esbuild, on the first request. Kept in memory with
 * its ETag (Hono's compress middleware gzips it on the way out).
 */
import { createHash } from "node:crypto"
import { readFile } from "node:fs/promises"
import { buildWidgetScript } from "../../web-widget/build.mjs"

export interface WidgetScript {
  readonly text: string
  readonly etag: string
}

// Beside dist/main.mjs in production; from the sources this names a file that does not exist.
const BUILT = new URL("./widget.js", import.meta.url)

async function load(): Promise<WidgetScript> {
  const text = await readFile(BUILT, "utf8").catch(() => buildWidgetScript())
  const etag = `"${createHash("sha256").update(text).digest("base64url").slice(0, 16)}"`
  return { text, etag }
}

let loaded: Promise<WidgetScript> | undefined

export function widgetScript(): Promise<WidgetScript> {
  loaded ??= load()
  loaded.catch(() => (loaded = undefined))
  return loaded
}
