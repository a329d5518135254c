/**
 * Part 11 of `npm run bench`: the agent console. Its JavaScript and CSS as served gzipped (target:
 * JavaScript ≤ 100 KiB), and in headless Chromium the time from navigation start to a usable
 * list — the list's links rendered and htmx loaded — with 10,000 conversations in the database
 * (written straight into the production build's SQLite file), signed in as an agent, each visit
 * a fresh page load (the session cookie kept, the HTTP cache cleared).
 */
import BetterSqlite from "better-sqlite3"
import { launchChromium } from "../support/browser.ts"
import { ADMIN_TOKEN } from "../support/gateway.ts"
import { indexForSearch } from "./conversation-list.ts"
import { startLoket } from "./servers.ts"
import { gzippedSize, percentile, type Reporter } from "./load.ts"

export const CONSOLE_BENCH = {
  conversations: Number(process.env.BENCH_CONSOLE_CONVERSATIONS ?? 10_000),
  visits: process.env.BENCH_QUICK === "1" ? 5 : 20,
  maxJsGzipBytes: 100 * 1024
}

function seed(dbPath: string) {
  const db = new BetterSqlite(dbPath)
  db.pragma("busy_timeout = 10000")
  const contact = db.prepare("insert into contacts (id, channel, handle, wa_id, user_id, name, created_at, updated_at) values (?, 'whatsapp', ?, ?, null, ?, ?, ?)")
  const conversation = db.prepare(`insert into conversations (id, channel, channel_account_id, contact_id, status, team, assignee, created_at, last_message_at,
    window_expires_at, last_outbound_at, window_warned_for, unread_count) values (?, 'whatsapp', 'pn_bench', ?, 'open', null, null, ?, ?, null, null, null, 1)`)
  const message = db.prepare(`insert into messages (id, conversation_id, direction, type, dedupe_key, provider_message_id, created_at, status, text, reply_to, content, error, flags, idempotency_key, author)
    values (?, ?, 'inbound', 'text', ?, ?, ?, 'received', ?, null, '{}', null, '[]', null, null)`)
  const base = Date.parse("2026-01-01T00:00:00Z")
  db.transaction(() => {
    for (let i = 0; i < CONSOLE_BENCH.conversations; i++) {
      const at = new Date(base + i * 60_000).toISOString()
      const waId = `3168${String(i).padStart(7, "0")}`
      contact.run(`ctc_c${i}`, waId, waId, `Inwoner ${i}`, at, at)
      conversation.run(`cnv_c${i}`, `ctc_c${i}`, at, at)
      message.run(`msg_c${i}`, `cnv_c${i}`, `whatsapp:msg:console${i}`, `wamid.console${i}`, at, `Vraag ${i}`)
    }
  })()
  indexForSearch(db)
  db.close()
}

export async function consoleBench(r: Reporter): Promise<void> {
  const server = await startLoket("Loket console", "NORMAL")
  const browser = await launchChromium()
  try {
    const assets = ["htmx.min.js", "htmx-sse.js", "console.js", "console.css"]
    const sizes = Object.fromEntries(await Promise.all(assets.map(async (a) => [a, await gzippedSize(`${server.url}/console/assets/${a}`)] as const)))
    const js = sizes["htmx.min.js"]! + sizes["htmx-sse.js"]! + sizes["console.js"]!
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`
    r.row("11. console JavaScript gzipped as served (htmx + SSE extension + console.js)", `${kib(js)} (${assets.slice(0, 3).map((a) => `${a} ${kib(sizes[a]!)}`).join(", ")})`)
    r.row("11. console CSS gzipped as served", kib(sizes["console.css"]!))
    r.verdict(js <= CONSOLE_BENCH.maxJsGzipBytes, `console JavaScript gzipped: ${kib(js)} (target ≤ 100 KiB)`)

    const password = "bench password 12345"
    const created = await fetch(`${server.url}/api/v1/agents`, {
      method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "bench@gemeente.example", name: "Bench", role: "agent", password })
    })
    if (created.status !== 201) throw new Error(`agent: ${created.status} ${await created.text()}`)
    r.log(`part 11: seeding ${CONSOLE_BENCH.conversations.toLocaleString("en-US")} conversations …`)
    seed(server.dbPath!)

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    await page.goto(`${server.url}/console/login`)
    await page.fill("#email", "bench@gemeente.example")
    await page.fill("#password", password)
    await Promise.all([page.waitForURL(`${server.url}/console`), page.press("#password", "Enter")])
    const cdp = await context.newCDPSession(page)
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true })
    const usable: Array<number> = []
    for (let i = 0; i < CONSOLE_BENCH.visits; i++) {
      await page.goto(`${server.url}/console?view=all`)
      await page.waitForFunction(() => document.querySelectorAll(".conversations a").length > 0 && (window as unknown as { htmx?: unknown }).htmx !== undefined && document.readyState !== "loading", undefined, { timeout: 20_000 })
      usable.push(await page.evaluate(() => performance.now()))
    }
    const ms = (n: number) => `${n.toFixed(0)} ms`
    r.row(`11. navigation → usable list, ${CONSOLE_BENCH.conversations.toLocaleString("en-US")} conversations, ${CONSOLE_BENCH.visits} visits: median / p95`, `${ms(percentile(usable, 50))} / ${ms(percentile(usable, 95))}`)
    r.log(`console: ${kib(js)} JavaScript gzipped, usable list median ${ms(percentile(usable, 50))}`)
    await context.close()
  } finally {
    await browser.close()
    await server.stop()
  }
}
