// The widget script's build: web-widget/src/widget.ts bundled and minified by esbuild into one
// small IIFE (no imports at run time). `npm run build` writes it to dist/widget.js beside the
// gateway bundle; the dev gateway (`npm start`, tests) builds it in memory on first request.
// esbuild is a dev dependency: it is imported only when a build runs, never by `node dist/main.mjs`.
import { fileURLToPath } from "node:url"

export const WIDGET_ENTRY = fileURLToPath(new URL("./src/widget.ts", import.meta.url))

/** The minified script as text. */
export async function buildWidgetScript() {
  const { build } = await import("esbuild")
  const result = await build({
    entryPoints: [WIDGET_ENTRY],
    bundle: true,
    minify: true,
    format: "iife",
    // Browsers with constructable stylesheets, <dialog> and :focus-visible.
    target: ["chrome100", "firefox101", "safari16.4", "edge100"],
    legalComments: "none",
    write: false,
    logLevel: "warning"
  })
  return result.outputFiles[0].text
}
