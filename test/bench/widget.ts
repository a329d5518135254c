/**
 * Part 7 of `npm run bench`: the click-to-chat widget. The script's size as served gzipped
 * (target ≤ 6 KiB), and, in headless Chromium on a host page of another origin with a strict
 * CSP, the time from navigation start until the button is rendered (`data-loket-state` set),
 * each visit in a fresh browser context (cold cache: script and config fetched every time).
 * The gateway runs in this process (the widget settings are set through its runtime).
 */
import { launchChromium, startHostSite } from "../support/browser.ts"
import { startGateway } from "../support/gateway.ts"
import { setWidgetSettings } from "../support/widget.ts"
import { gzippedSize, percentile, type Reporter } from "./load.ts"

export const WIDGET = { visits: process.env.BENCH_QUICK === "1" ? 5 : 20, maxGzipBytes: 6 * 1024 }

export async function widgetBench(r: Reporter): Promise<void> {
  const gw = await startGateway()
  const site = await startHostSite(gw.url)
  const browser = await launchChromium()
  try {
    await setWidgetSettings(gw, { origins: [site.origin] })
    const gzip = await gzippedSize(`${gw.url}/widget.js`)
    const plain = (await (await fetch(`${gw.url}/widget.js`)).text()).length
    r.row("7. widget.js, minified / gzipped as served", `${(plain / 1024).toFixed(1)} KiB / ${(gzip / 1024).toFixed(2)} KiB`)
    r.verdict(gzip <= WIDGET.maxGzipBytes, `widget.js gzipped: ${(gzip / 1024).toFixed(2)} KiB (target ≤ 6 KiB)`)

    const rendered: Array<number> = []
    const loaded: Array<number> = []
    for (let i = 0; i < WIDGET.visits; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      // Records when the widget marks its script element: the button is in the page then.
      await context.addInitScript(`new MutationObserver((_, o) => { const s = document.querySelector("script[data-loket-state]"); if (s) { window.__rendered = performance.now(); o.disconnect() } }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-loket-state"] })`)
      const page = await context.newPage()
      await page.goto(`${site.origin}/afval?inline=1`)
      await page.waitForFunction(() => (window as unknown as { __rendered?: number }).__rendered !== undefined, undefined, { timeout: 20_000 })
      const figures = await page.evaluate(() => ({
        rendered: (window as unknown as { __rendered: number }).__rendered,
        domContentLoaded: performance.getEntriesByType("navigation")[0] instanceof PerformanceNavigationTiming
          ? (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).domContentLoadedEventEnd
          : Number.NaN,
        shown: document.querySelector("[data-loket-widget]")?.shadowRoot?.querySelector("button") !== null
      }))
      if (!figures.shown) throw new Error("the widget did not render its button")
      rendered.push(figures.rendered)
      loaded.push(figures.domContentLoaded)
      await context.close()
    }
    const ms = (n: number) => `${n.toFixed(0)} ms`
    r.row(`7. host page → button rendered, cold cache, ${WIDGET.visits} visits: median / p95`, `${ms(percentile(rendered, 50))} / ${ms(percentile(rendered, 95))} (the page's DOMContentLoaded: median ${ms(percentile(loaded, 50))})`)
    r.log(`widget: ${(gzip / 1024).toFixed(2)} KiB gzipped, first render median ${ms(percentile(rendered, 50))}`)
  } finally {
    await browser.close()
    await site.close()
    await gw.close()
  }
}
