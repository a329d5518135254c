/**
 * The settings document over real HTTP (SQLite, and PostgreSQL in the `postgres` project):
 * defaults, merge patch, replace, every bad field with its path, body limits, roles, the
 * followUp template check and the audit log.
 */
import { request as httpRequest } from "node:http"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Settings } from "../../actors/settings/Settings.ts"
import { Database } from "../../drizzle/Database.ts"
import { hashToken } from "../../gateway/api/auth/ApiTokens.ts"
import { auth, startGateway, type TestGateway } from "../support/gateway.ts"

let gw: TestGateway
const AGENT_TOKEN = "test-agent-token-settings"
beforeAll(async () => {
  gw = await startGateway()
  await gw.runtime.runPromise(Database.use((db) =>
    db.run((d, t) => d.insert(t.apiTokens).values({
      id: "tok_agent_settings", tokenHash: hashToken(AGENT_TOKEN), role: "agent", name: "Balie agent", createdAt: new Date().toISOString()
    })).pipe(Effect.andThen(db.committed()))))
})
afterAll(() => gw.close())

const url = (path = "") => `${gw.url}/api/v1/settings${path}`
const get = async () => (await fetch(url(), { headers: auth })).json() as Promise<any>
const send = (method: "PUT" | "PATCH", body: unknown, contentType = method === "PATCH" ? "application/merge-patch+json" : "application/json") =>
  fetch(url(), { method, headers: { ...auth, "content-type": contentType }, body: typeof body === "string" ? body : JSON.stringify(body) })
const audit = async (query = "") => (await fetch(url(`/audit${query}`), { headers: auth })).json() as Promise<any>
const insertTemplate = (name: string, status: string) =>
  gw.runtime.runPromise(Database.use((db) =>
    db.run((d, t) => d.insert(t.templates).values({
      id: `tpl_${name}`, accountId: "waba-1", name, language: "nl", status, category: "UTILITY", components: [], parameterCounts: { header: 0, body: 0, buttons: 0 }, updatedAt: new Date().toISOString()
    })).pipe(Effect.andThen(db.committed()))))

/**
 * A large PUT on a connection of its own (the gateway answers 413 before reading it all and
 * closes the connection, which fetch's pool would try to reuse); `chunked`: without Content-Length.
 */
function putLarge(body: string, chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...auth, "content-type": "application/json", connection: "close" }
    if (!chunked) headers["content-length"] = String(Buffer.byteLength(body))
    const request = httpRequest(url(), { method: "PUT", agent: false, headers }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (chunk) => (text += chunk))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    request.on("error", reject)
    request.write(body.slice(0, body.length / 2))
    request.end(body.slice(body.length / 2))
  })
}

describe("settings", () => {
  it("answers a complete document with Dutch defaults on a fresh install, and an empty audit log", async () => {
    const document = await get()
    expect(document.language).toBe("nl")
    expect(document.officeHours.timezone).toBe("Europe/Amsterdam")
    expect(Object.keys(document.officeHours.weekly)).toEqual(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
    expect(document.autoReplies.outOfHours).toEqual({ enabled: true, text: expect.stringContaining("{{nextOpen}}") })
    expect(document.access).toBe("all")
    expect(await audit()).toEqual({ items: [], nextCursor: null })
  })

  it("is for admins only: 401 without a token, 403 for an agent token", async () => {
    expect((await fetch(url())).status).toBe(401)
    for (const [method, path] of [["GET", ""], ["PATCH", ""], ["PUT", ""], ["GET", "/audit"]] as const) {
      const res = await fetch(url(path), { method, headers: { authorization: `Bearer ${AGENT_TOKEN}`, "content-type": "application/json" }, ...(method === "GET" ? {} : { body: "{}" }) })
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual({ error: { code: "forbidden", message: expect.any(String) } })
    }
  })

  it("PATCH merges, takes effect at once for Settings.current, and null puts a key back to its default", async () => {
    let res = await send("PATCH", { language: "en", officeHours: { closedDates: ["2026-12-24"], weekly: { monday: [{ open: "08:00", close: "12:00" }, { open: "13:00", close: "17:00" }] } } })
    expect(res.status).toBe(200)
    const patched = await res.json() as any
    expect(patched.language).toBe("en")
    expect(patched.autoReplies.outOfHours.text).toMatch(/closed/)
    expect(patched.officeHours.weekly.monday).toHaveLength(2)
    expect(patched.officeHours.weekly.tuesday).toEqual([])
    expect(patched.officeHours.closedDates).toEqual(["2026-12-24"])
    expect(await get()).toEqual(patched)
    expect(await gw.runtime.runPromise(Settings.use((s) => s.current))).toEqual(patched)

    res = await send("PATCH", { officeHours: { closedDates: ["2026-12-31"] } }, "application/json")
    expect((await res.json() as any).officeHours).toMatchObject({ closedDates: ["2026-12-31"], weekly: { monday: patched.officeHours.weekly.monday } })

    res = await send("PATCH", { language: null, officeHours: { weekly: null } })
    const reset = await res.json() as any
    expect(reset.language).toBe("nl")
    expect(reset.autoReplies.outOfHours.text).toMatch(/gesloten/)
    expect(reset.officeHours.weekly.tuesday).toEqual([{ open: "08:30", close: "17:00" }])
    expect(reset.officeHours.closedDates).toEqual(["2026-12-31"])
  })

  it("PUT replaces the whole document: what it leaves out is back at its default", async () => {
    const res = await send("PUT", { access: "team", retention: { messagesDays: 90 } })
    expect(res.status).toBe(200)
    const document = await get()
    expect(document).toMatchObject({ access: "team", retention: { messagesDays: 90 }, language: "nl", officeHours: { closedDates: [] } })
    // The same document again, or an empty patch, is no change: no new audit entry.
    const entries = (await audit()).items.length
    expect((await send("PUT", { access: "team", retention: { messagesDays: 90 } })).status).toBe(200)
    expect((await send("PATCH", {})).status).toBe(200)
    expect((await audit()).items.length).toBe(entries)
  })

  it("refuses an invalid document with 422 listing every bad field, and changes nothing", async () => {
    const before = await get()
    const res = await send("PATCH", {
      officeHours: { weekly: { monday: [{ open: "25:00", close: "17:00" }], tuesday: [{ open: "09:00", close: "08:00" }], wednesday: [{ open: "08:00", close: "12:00" }, { open: "10:00", close: "14:00" }], someday: [] }, closedDates: ["2026-02-29"] },
      widget: { percentage: -1 },
      autoReplies: { outOfHours: { text: "Terug op {{nextopen}}" } },
      surprise: true
    })
    expect(res.status).toBe(422)
    const body = await res.json() as any
    expect(body.error.code).toBe("invalid_settings")
    expect(body.error.details).toEqual(expect.arrayContaining([
      { path: "officeHours.weekly.monday[0].open", message: 'expected HH:MM (00:00–23:59), got "25:00"' },
      { path: "officeHours.weekly.tuesday[0].close", message: "close 08:00 must come after open 09:00" },
      { path: "officeHours.weekly.wednesday[1]", message: expect.stringContaining("overlaps 08:00–12:00") },
      { path: "officeHours.weekly.someday", message: expect.stringContaining("expected one of monday, tuesday") },
      { path: "officeHours.closedDates[0]", message: expect.stringContaining('"2026-02-29"') },
      { path: "widget.percentage", message: "expected a percentage from 0 to 100, got -1" },
      { path: "autoReplies.outOfHours.text", message: "unknown placeholder {{nextopen}}; placeholders that exist here: {{nextOpen}}" },
      { path: "surprise", message: expect.stringContaining("unknown key") }
    ]))
    expect(body.error.details).toHaveLength(8)
    expect(await get()).toEqual(before)
  })

  it("answers 400 for a body that is not JSON or not an object, 415 for a PATCH of another type, 413 over 256 KiB", async () => {
    let res = await send("PUT", "{not json")
    expect(res.status).toBe(400)
    expect((await res.json() as any).error.code).toBe("invalid_json")
    res = await send("PATCH", [1, 2])
    expect(res.status).toBe(422)
    expect((await res.json() as any).error.details).toEqual([{ path: "", message: expect.stringContaining("merge patch object") }])
    res = await send("PATCH", "{}", "text/plain")
    expect(res.status).toBe(415)
    const big = JSON.stringify({ widget: { text: "x".repeat(300 * 1024) } })
    const declared = await putLarge(big, false)
    expect(declared.status).toBe(413)
    expect(JSON.parse(declared.body).error).toEqual({ code: "payload_too_large", message: expect.stringContaining("256 KiB") })
    // Without Content-Length (chunked), refused while it streams in.
    expect((await putLarge(big, true)).status).toBe(413)
  })

  it("checks the followUp template: it must be synced, and APPROVED while followUp is enabled", async () => {
    const followUp = (name: string, enabled = true) => ({ followUp: { enabled, template: { name, language: "nl", buttons: ["Ja", "Nee"] } } })
    let res = await send("PATCH", followUp("tevredenheid"))
    expect(res.status).toBe(422)
    expect((await res.json() as any).error.details).toEqual([{ path: "followUp.template.name", code: "template_not_synced", message: expect.stringContaining('no synced template "tevredenheid"') }])

    await insertTemplate("tevredenheid", "PENDING")
    res = await send("PATCH", followUp("tevredenheid"))
    expect((await res.json() as any).error.details).toEqual([{ path: "followUp.template.name", code: "template_not_approved", message: expect.stringContaining("is PENDING; it must be APPROVED") }])
    expect((await send("PATCH", followUp("tevredenheid", false))).status).toBe(200)

    await insertTemplate("nazorg", "APPROVED")
    res = await send("PATCH", followUp("nazorg"))
    expect(res.status).toBe(200)
    expect((await res.json() as any).followUp).toEqual({ enabled: true, template: { name: "nazorg", language: "nl", buttons: ["Ja", "Nee"] } })
  })

  it("audits every change with who, when, before and after, newest first, in pages", async () => {
    const all = await audit()
    expect(all.items.length).toBe(6)
    const [newest, previous] = all.items
    expect(newest).toMatchObject({
      id: expect.any(String), actor: { kind: "token", id: expect.any(String), name: "LOKET_ADMIN_TOKEN" },
      action: "settings.update", target: "settings",
      before: { followUp: { enabled: false, template: { name: "tevredenheid" } } },
      after: { followUp: { enabled: true, template: { name: "nazorg" } } }
    })
    expect(Date.parse(newest.at)).toBeGreaterThan(Date.now() - 60_000)
    expect(newest.at >= previous.at).toBe(true)
    expect(all.items.map((e: any) => e.action)).toContain("settings.replace")
    expect(all.items.at(-1).before.language).toBe("nl")
    expect(all.items.at(-1).after.language).toBe("en")

    const pages: Array<string> = []
    let cursor: string | null = null
    do {
      const page: any = await audit(`?limit=3${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`)
      expect(page.items.length).toBeLessThanOrEqual(3)
      pages.push(...page.items.map((e: any) => e.id))
      cursor = page.nextCursor
    } while (cursor !== null)
    expect(pages).toEqual(all.items.map((e: any) => e.id))

    const bad = await fetch(url("/audit?cursor=nope"), { headers: auth })
    expect(bad.status).toBe(400)
    expect((await bad.json() as any).error.code).toBe("invalid_cursor")
    const badLimit = await fetch(url("/audit?limit=0"), { headers: auth })
    expect(badLimit.status).toBe(400)
    expect((await badLimit.json() as any).error.details[0].path).toBe("limit")
  })

  it("is in the OpenAPI document", async () => {
    const document = await (await fetch(`${gw.url}/api/v1/openapi.json`)).json() as any
    expect(Object.keys(document.paths["/api/v1/settings"]).sort()).toEqual(["get", "patch", "put"])
    expect(document.paths["/api/v1/settings/audit"].get).toBeDefined()
    expect(document.components.schemas.Settings.properties.officeHours).toBeDefined()
  })
})
