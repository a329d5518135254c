/**
 * Part 7: the agent console's conversation list. 100,000 conversations (one resident message
 * each) in Loket's SQLite file, 5 vakteams, 50 agents with tokens (through the API), the `access`
 * setting `"team"` (the narrower, dearer query); then 50 agents ask for the list concurrently:
 * their first page, `assignee=me`, `team=<theirs>`, and a text search (`q`) for a common word and
 * for a word only one conversation holds. Figures: p50/p99 per kind with 50 in flight (closed
 * loop) and at a steady one request per agent per second (open loop). Target: p99 ≤ 50 ms.
 */
import { makeSearchIndexStep } from "../../drizzle/search-index-step.ts"
import { STEP } from "../../drizzle/SearchIndexer.ts"
import http from "node:http"
import BetterSqlite from "better-sqlite3"
import { ADMIN_TOKEN } from "../support/gateway.ts"
import { percentile, type Reporter } from "./load.ts"
import { cpuSecondsOf } from "./outbound.ts"
import { summarizeProfiles } from "./cpuprofile.ts"
import { startLoket, startLoketWith, type ServerUnderTest } from "./servers.ts"

export const LIST = {
  conversations: Number(process.env.BENCH_LIST_CONVERSATIONS ?? (process.env.BENCH_QUICK === "1" ? 20_000 : 100_000)),
  teams: 5,
  agents: 50,
  closedLoopRequests: 4_000,
  /** Requests of one kind whose gateway CPU is measured (clock ticks of 10 ms: 1,000 requests give ±0.01 ms). */
  cpuRequests: 1_000,
  openSeconds: 10,
  targetP99Ms: 50
}

const WORDS = ["afval", "container", "paspoort", "parkeren", "vergunning", "belasting", "rijbewijs", "geluidsoverlast", "lantaarnpaal", "stoep"]

function getter(url: string, maxSockets: number) {
  const target = new URL(url)
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets })
  /** A kept-alive socket the server closed as it idled may fail the next GET: sent again once, on a fresh socket. */
  const request = (method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: string; ms: number }> =>
    once(method, path, token, body).catch((error: NodeJS.ErrnoException) => {
      if (method !== "GET" || error.code !== "ECONNRESET") throw error
      return once(method, path, token, body)
    })
  const once = (method: string, path: string, token: string, body?: unknown) =>
    new Promise<{ status: number; body: string; ms: number }>((resolve, reject) => {
      const start = performance.now()
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
      const r = http.request({
        agent, host: target.hostname, port: Number(target.port), method, path,
        headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": payload.length }) }
      }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - start }))
        res.on("error", reject)
      })
      r.on("error", reject)
      r.end(payload)
    })
  return { request, close: () => agent.destroy() }
}

/** Writes the conversations straight into the SQLite file (WAL: the gateway keeps running). */
export function seed(dbPath: string, teams: ReadonlyArray<string>, agentsByTeam: ReadonlyArray<ReadonlyArray<string>>, rare: string) {
  const db = new BetterSqlite(dbPath)
  db.pragma("busy_timeout = 10000")
  const contact = db.prepare("insert into contacts (id, channel, handle, wa_id, user_id, name, created_at, updated_at) values (?, 'whatsapp', ?, ?, null, ?, ?, ?)")
  const conversation = db.prepare(`insert into conversations (id, channel, channel_account_id, contact_id, status, team, assignee, created_at, last_message_at,
    window_expires_at, last_outbound_at, window_warned_for, unread_count) values (?, 'whatsapp', 'pn_bench', ?, ?, ?, ?, ?, ?, null, null, null, ?)`)
  const message = db.prepare(`insert into messages (id, conversation_id, direction, type, dedupe_key, provider_message_id, created_at, status, text, reply_to, content, error, flags, idempotency_key, author)
    values (?, ?, 'inbound', 'text', ?, ?, ?, 'received', ?, null, '{}', null, '[]', null, null)`)
  const base = Date.parse("2026-01-01T00:00:00Z")
  db.transaction(() => {
    for (let i = 0; i < LIST.conversations; i++) {
      const at = new Date(base + i * 60_000).toISOString()
      const waId = `3169${String(i).padStart(7, "0")}`
      contact.run(`ctc_b${i}`, waId, waId, `Inwoner ${i}`, at, at)
      // A fifth without a team; the rest spread evenly over every team (i % teams.length would leave the first one empty).
      const t = i % 5 === 0 ? null : Math.floor(i / 5) % teams.length
      const team = t === null ? null : teams[t]!
      const members = t === null ? [] : agentsByTeam[t]!
      const assignee = members.length > 0 && i % 2 === 0 ? members[i % members.length]! : null
      conversation.run(`cnv_b${i}`, `ctc_b${i}`, i % 4 === 0 ? "closed" : "open", team, assignee, at, at, i % 3)
      // Words spread over the teams (a hash, not i % 10, which would tie each word to one team).
      const word = WORDS[((i * 2654435761) >>> 0) % WORDS.length]!
      const text = i === Math.floor(LIST.conversations / 2) ? `Vraag over ${rare}` : `Vraag over ${word} bij huisnummer ${i}`
      message.run(`msg_b${i}`, `cnv_b${i}`, `whatsapp:msg:bench${i}`, `wamid.bench${i}`, at, text)
    }
  })()
  indexForSearch(db)
  db.close()
}

/**
 * Adds what a seed wrote (messages, contacts) to the search index at once (drizzle/SearchIndexer.ts's steps, in one transaction): the
 * gateway's indexer would take some seconds to catch up with a seed of 100,000 messages, and the
 * bench measures the list as it runs, not while it catches up.
 */
export function indexForSearch(db: BetterSqlite.Database) {
  const index = makeSearchIndexStep((sql) => db.prepare(sql) as never)
  db.transaction(() => {
    while (index.run(STEP) === STEP);
  }).immediate()
}

export async function listBench(report: Reporter): Promise<void> {
  const { log, row, verdict } = report
  // BENCH_LIST_PROFILE=<dir>: the gateway runs from the sources under --cpu-prof; its profile is summarised at the end.
  const profileDir = process.env.BENCH_LIST_PROFILE
  const server: ServerUnderTest = profileDir === undefined
    ? await startLoket("Loket list", "NORMAL")
    : await startLoketWith("Loket list (profiled)", ["--cpu-prof", "--cpu-prof-dir", profileDir])
  let client = getter(server.url, 64)
  try {
    const admin = (method: string, path: string, body?: unknown) => client.request(method, path, ADMIN_TOKEN, body).then((r) => {
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 200)}`)
      return JSON.parse(r.body || "{}")
    })
    log(`part 9: ${LIST.teams} teams, ${LIST.agents} agents with tokens, access "team"`)
    const teams: Array<string> = []
    for (let t = 0; t < LIST.teams; t++) teams.push((await admin("POST", "/api/v1/teams", { name: `Team ${t}` })).id)
    const agents: Array<{ id: string; token: string; team: string }> = []
    for (let a = 0; a < LIST.agents; a++) {
      const team = teams[a % teams.length]!
      const agent = await admin("POST", "/api/v1/agents", { email: `agent${a}@bench.gemeente.nl`, name: `Agent ${a}`, role: "agent", teams: [team] })
      const token = await admin("POST", "/api/v1/tokens", { name: `agent-${a}`, role: "agent", agentId: agent.id })
      agents.push({ id: agent.id, token: token.token, team })
    }
    await admin("PATCH", "/api/v1/settings", { access: "team" })
    const rare = "zwerfkatten"
    log(`part 9: seeding ${LIST.conversations.toLocaleString("en-US")} conversations …`)
    const seedStart = performance.now()
    seed(server.dbPath!, teams, teams.map((team) => agents.filter((a) => a.team === team).map((a) => a.id)), rare)
    log(`part 9: seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`)
    // The kept-alive sockets idled past the server's keep-alive timeout while the seed ran: new ones.
    client.close()
    client = getter(server.url, 64)

    const kinds = {
      "first page": (_a: (typeof agents)[number]) => "/api/v1/conversations",
      "assignee=me": (_a: (typeof agents)[number]) => "/api/v1/conversations?assignee=me",
      "team=<own>": (a: (typeof agents)[number]) => `/api/v1/conversations?team=${a.team}&status=all`,
      "q=<common word>": (_a: (typeof agents)[number]) => "/api/v1/conversations?q=paspoort",
      "q=<rare word>": (_a: (typeof agents)[number]) => `/api/v1/conversations?q=${rare}&status=all`
    } as const
    type Kind = keyof typeof kinds
    const kindNames = Object.keys(kinds) as Array<Kind>
    // Correct answers first: each kind answers 200, the rare word finds its one conversation.
    for (const kind of kindNames) {
      const r = await client.request("GET", kinds[kind](agents[0]!), agents[0]!.token)
      if (r.status !== 200) throw new Error(`${kind}: ${r.status} ${r.body.slice(0, 200)}`)
    }
    const rareAnswer = JSON.parse((await client.request("GET", kinds["q=<rare word>"](agents[0]!), ADMIN_TOKEN)).body)
    if (rareAnswer.items.length !== 1) throw new Error(`q=${rare} found ${rareAnswer.items.length} conversations, expected 1`)

    const timings = new Map<Kind, Array<number>>(kindNames.map((k) => [k, []]))
    let failures = 0
    const once = async (i: number) => {
      const agent = agents[i % agents.length]!
      const kind = kindNames[i % kindNames.length]!
      const r = await client.request("GET", kinds[kind](agent), agent.token).catch(() => undefined)
      if (r?.status !== 200) failures++
      if (r !== undefined) timings.get(kind)!.push(r.ms)
    }
    // Warm-up, then 50 agents in flight at once (closed loop).
    for (let i = 0; i < 500; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => once(i + j)))
    for (const list of timings.values()) list.length = 0
    log(`part 9: closed loop, ${LIST.agents} in flight, ${LIST.closedLoopRequests} requests`)
    let next = 0
    const started = performance.now()
    await Promise.all(Array.from({ length: LIST.agents }, async () => {
      while (next < LIST.closedLoopRequests) await once(next++)
    }))
    const closedRate = LIST.closedLoopRequests / ((performance.now() - started) / 1000)
    const closed = new Map([...timings].map(([k, v]) => [k, [...v]]))
    for (const list of timings.values()) list.length = 0

    // The gateway's CPU per request of each kind alone (user + system from /proc): what a request costs,
    // whatever else the machine is doing (the latencies above depend on that).
    const cpuPerKind = new Map<Kind, number>()
    for (const kind of kindNames) {
      const before = cpuSecondsOf(server.pid)
      let k = 0
      await Promise.all(Array.from({ length: LIST.agents }, async () => {
        while (k < LIST.cpuRequests) {
          const agent = agents[k++ % agents.length]!
          const r = await client.request("GET", kinds[kind](agent), agent.token)
          if (r.status !== 200) failures++
        }
      }))
      cpuPerKind.set(kind, ((cpuSecondsOf(server.pid) - before) * 1000) / LIST.cpuRequests)
      log(`part 9: ${kind} alone: ${cpuPerKind.get(kind)!.toFixed(2)} ms of gateway CPU per request`)
    }
    for (const list of timings.values()) list.length = 0

    log(`part 9: open loop, each agent one request a second for ${LIST.openSeconds} s`)
    const pending: Array<Promise<void>> = []
    const openStart = performance.now()
    let sent = 0
    while (performance.now() - openStart < LIST.openSeconds * 1000) {
      const due = Math.floor(((performance.now() - openStart) / 1000) * LIST.agents)
      while (sent < due) pending.push(once(sent++))
      await new Promise((r) => setTimeout(r, 5))
    }
    await Promise.all(pending)

    const fmt = (values: ReadonlyArray<number>) => `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms`
    for (const kind of kindNames) {
      row(`7. list ${kind}: 50 agents in flight / 1 req/s each`, `${fmt(closed.get(kind)!)} / ${fmt(timings.get(kind)!)}`)
    }
    row("7. list, gateway CPU per request (each kind alone)", kindNames.map((k) => `${k} ${cpuPerKind.get(k)!.toFixed(2)} ms`).join(", "))
    row("7. list, closed loop (50 in flight): answered", `${Math.round(closedRate).toLocaleString("en-US")} req/s, ${failures} not 200`)
    const openAll = [...timings.values()].flat()
    const closedAll = [...closed.values()].flat()
    verdict(percentile(openAll, 99) <= LIST.targetP99Ms,
      `conversation list, 100,000 conversations, 50 agents at 1 req/s each: p99 ${percentile(openAll, 99).toFixed(1)} ms over every kind (target ≤ ${LIST.targetP99Ms} ms)`)
    verdict(percentile(closedAll, 99) <= LIST.targetP99Ms,
      `conversation list, 50 requests always in flight: p99 ${percentile(closedAll, 99).toFixed(1)} ms over every kind (target ≤ ${LIST.targetP99Ms} ms)`)
  } finally {
    client.close()
    await server.stop()
    if (profileDir !== undefined) for (const line of summarizeProfiles(profileDir)) log(line)
  }
}
