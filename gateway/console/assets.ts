/**
 * `/console/assets/*`: the console's stylesheet and scripts, from the gateway itself (no CDN):
 * htmx and its SSE extension from node_modules, the console's own script and styles from
 * gateway/console/assets (copied beside the bundle by `npm run build`). Read once, served with
 * an ETag, gzipped by Hono's compress middleware when the browser accepts it.
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { Hono } from "hono"
import { compress } from "hono/compress"

const require = createRequire(import.meta.url)

interface Asset {
  readonly body: string
  readonly type: string
  readonly etag: string
}

/** The console's own files: beside the sources, or beside dist/main.mjs (`console-assets/`). */
function own(name: string): string {
  for (const url of [new URL(`./assets/${name}`, import.meta.url), new URL(`./console-assets/${name}`, import.meta.url)]) {
    try {
      return readFileSync(url, "utf8")
    } catch {
      // the other place
    }
  }
  throw new Error(`Loket: the console's ${name} is missing (run npm run build again).`)
}

const FILES: Record<string, { read: () => string; type: string }> = {
  "htmx.min.js": { read: () => readFileSync(require.resolve("htmx.org/dist/htmx.min.js"), "utf8"), type: "text/javascript; charset=utf-8" },
  "htmx-sse.js": { read: () => readFileSync(require.resolve("htmx-ext-sse/dist/sse.min.js"), "utf8"), type: "text/javascript; charset=utf-8" },
  "console.js": { read: () => own("console.js"), type: "text/javascript; charset=utf-8" },
  "console.css": { read: () => own("console.css"), type: "text/css; charset=utf-8" }
}

export const CONSOLE_ASSETS = Object.keys(FILES)

const cache = new Map<string, Asset>()
export function consoleAsset(name: string): Asset | undefined {
  const file = FILES[name]
  if (file === undefined) return undefined
  let asset = cache.get(name)
  if (asset === undefined) {
    const body = file.read()
    asset = { body, type: file.type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"` }
    cache.set(name, asset)
  }
  return asset
}

export function consoleAssets() {
  return new Hono().get("/:name", compress(), function consoleAssetFile(c) {
    const asset = consoleAsset(c.req.param("name"))
    if (asset === undefined) return c.json({ error: { code: "not_found", message: `No console asset ${c.req.param("name")}.` } }, 404)
    if (c.req.header("if-none-match") === asset.etag) return c.body(null, 304)
    return c.body(asset.body, 200, { "content-type": asset.type, etag: asset.etag, "cache-control": "no-cache", "x-content-type-options": "nosniff" })
  })
}
