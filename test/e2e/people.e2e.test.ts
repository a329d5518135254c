/**
 * Roles, tokens, agents and teams over real HTTP on loopback (SQLite, and PostgreSQL in the
 * `postgres` project): a token dies at once when revoked, when its agent is deactivated, and a
 * generated admin token when LOKET_ADMIN_TOKEN is set; agent-role callers get 403 on admin routes.
 */
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { ADMIN_TOKEN, auth, baseEnv, startGateway, tempDir, type TestGateway } from "../support/gateway.ts"
import { freshPostgresDatabase } from "../support/services.ts"
import { People } from "../../actors/people/People.ts"
import { verifyPassword } from "../../actors/people/password.ts"

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

async function call(gw: TestGateway, method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...auth, ...options.headers }
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  if (body !== undefined) headers["content-type"] = "application/json"
  const res = await fetch(`${gw.url}/api/v1${path}`, { method, headers, body })
  const text = await res.text()
  return { status: res.status, text, json: text === "" ? undefined : JSON.parse(text) }
}

describe("people: tokens, agents, teams", () => {
  let gw: TestGateway
  beforeAll(async () => {
    gw = await startGateway()
  })
  afterAll(() => gw.close())

  it("creates a token whose secret is answered once and never listed; revoked, it is refused on the very next request", async () => {
    const created = await call(gw, "POST", "/tokens", { body: { name: "balie-koppeling", role: "agent" } })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({ name: "balie-koppeling", role: "agent" })
    expect(Object.keys(created.json).sort()).toEqual(expect.arrayContaining(["id", "name", "role", "token", "createdAt"]))
    const { id, token } = created.json as { id: string; token: string }
    expect(token).toMatch(/^loket_/)

    const listed = await call(gw, "GET", "/tokens")
    expect(listed.status).toBe(200)
    expect(listed.text).not.toContain(token)
    expect(listed.text).not.toContain("tokenHash")
    expect(listed.json.items.find((t: { id: string }) => t.id === id)).toMatchObject({ name: "balie-koppeling", role: "agent", revokedAt: null })

    expect((await call(gw, "GET", "/conversations", { headers: bearer(token) })).status).toBe(200)
    expect((await call(gw, "DELETE", `/tokens/${id}`)).status).toBe(204)
    const after = await call(gw, "GET", "/conversations", { headers: bearer(token) })
    expect(after.status).toBe(401)
    expect(after.json.error.code).toBe("unauthorized")
    expect((await call(gw, "GET", "/tokens")).json.items.find((t: { id: string }) => t.id === id).revokedAt).toEqual(expect.any(String))
    expect((await call(gw, "DELETE", "/tokens/tok_nope")).status).toBe(404)
  })

  it("an event stream opened with a token ends at once when the token is revoked", async () => {
    const { id, token } = (await call(gw, "POST", "/tokens", { body: { name: "wallboard", role: "agent" } })).json
    const { id: otherId, token: other } = (await call(gw, "POST", "/tokens", { body: { name: "wallboard-2", role: "agent" } })).json
    const open = async (secret: string) => {
      const res = await fetch(`${gw.url}/api/v1/events`, { headers: bearer(secret) })
      expect(res.status).toBe(200)
      const reader = res.body!.getReader()
      let done = false
      const closed = (async () => {
        while (!(await reader.read()).done);
        done = true
      })()
      return { closed, isDone: () => done, cancel: () => reader.cancel() }
    }
    const revoked = await open(token)
    const kept = await open(other)
    const start = Date.now()
    expect((await call(gw, "DELETE", `/tokens/${id}`)).status).toBe(204)
    await revoked.closed
    // Ended by the announcement, well before the 5 s re-check.
    expect(Date.now() - start).toBeLessThan(4_000)
    expect(kept.isDone()).toBe(false)
    await kept.cancel()
    await call(gw, "DELETE", `/tokens/${otherId}`)
  })

  it("an agent-role caller gets 403 on every admin route and 200 on conversations and /me", async () => {
    const { token } = (await call(gw, "POST", "/tokens", { body: { name: "agent-rol", role: "agent" } })).json
    const agent = bearer(token)
    const adminRoutes: Array<[string, string, unknown?]> = [
      ["POST", "/tokens", { name: "x", role: "admin" }], ["GET", "/tokens"], ["DELETE", "/tokens/tok_x"],
      ["POST", "/agents", { email: "a@b.nl", name: "A", role: "admin" }], ["GET", "/agents"], ["GET", "/agents/agt_x"],
      ["PATCH", "/agents/agt_x", { role: "admin" }], ["DELETE", "/agents/agt_x"],
      ["POST", "/teams", { name: "x" }], ["GET", "/teams"], ["PATCH", "/teams/team_x", { name: "y" }], ["DELETE", "/teams/team_x"],
      ["GET", "/admin/parked"], ["GET", "/admin/cluster"], ["POST", "/templates/sync"]
    ]
    for (const [method, path, body] of adminRoutes) {
      const res = await call(gw, method, path, { body, headers: agent })
      expect({ method, path, status: res.status, code: res.json?.error?.code }).toEqual({ method, path, status: 403, code: "forbidden" })
    }
    expect((await call(gw, "GET", "/conversations", { headers: agent })).status).toBe(200)
    expect((await call(gw, "GET", "/templates", { headers: agent })).status).toBe(200)
    const me = await call(gw, "GET", "/me", { headers: agent })
    expect(me.status).toBe(200)
    expect(me.json).toEqual({ kind: "token", id: expect.stringMatching(/^tok_/), name: "agent-rol", role: "agent", teams: [] })
    // No team, agent or token came into being through those 403s.
    expect((await call(gw, "GET", "/teams")).json.items.map((t: { name: string }) => t.name)).not.toContain("x")
  })

  it("/me names the admin token, and an agent's token acts as that agent with its teams", async () => {
    expect((await call(gw, "GET", "/me")).json).toEqual({ kind: "token", id: expect.stringMatching(/^tok_/), name: "LOKET_ADMIN_TOKEN", role: "admin", teams: [] })
    const team = (await call(gw, "POST", "/teams", { body: { name: "Parkeren" } })).json
    const agent = (await call(gw, "POST", "/agents", { body: { email: "Fatima.Elamrani@Gemeente.nl", name: "Fatima El Amrani", role: "agent", teams: [team.id] } })).json
    expect(agent).toMatchObject({ email: "fatima.elamrani@gemeente.nl", role: "agent", teams: [team.id], active: true, hasPassword: false })
    const { token } = (await call(gw, "POST", "/tokens", { body: { name: "fatima-laptop", role: "agent", agentId: agent.id } })).json
    const me = await call(gw, "GET", "/me", { headers: bearer(token) })
    expect(me.json).toEqual({ kind: "agent", id: agent.id, name: "Fatima El Amrani", role: "agent", teams: [team.id] })
    // A team change shows in /me at once.
    const second = (await call(gw, "POST", "/teams", { body: { name: "Afval" } })).json
    expect((await call(gw, "PATCH", `/teams/${second.id}`, { body: { members: [agent.id] } })).json).toEqual({ id: second.id, name: "Afval", members: [agent.id] })
    expect((await call(gw, "GET", "/me", { headers: bearer(token) })).json.teams).toEqual([team.id, second.id].sort())
    // An agent-role agent cannot hold an admin token.
    const tooMuch = await call(gw, "POST", "/tokens", { body: { name: "x", role: "admin", agentId: agent.id } })
    expect(tooMuch.status).toBe(422)
    expect(tooMuch.json.error.details).toEqual([{ path: "role", message: expect.any(String) }])
  })

  it("deactivating an agent ends its tokens at once; the agent stays listed as inactive", async () => {
    const agent = (await call(gw, "POST", "/agents", { body: { email: "jan@gemeente.nl", name: "Jan de Vries", role: "admin", password: "correct horse battery" } })).json
    expect(agent.hasPassword).toBe(true)
    expect(JSON.stringify(agent)).not.toMatch(/scrypt|correct horse/)
    // What the console's sign-in will use: the stored hash verifies the password, by e-mail in any case.
    const credentials = await gw.runtime.runPromise(People.use((p) => p.credentialsByEmail("JAN@gemeente.nl")))
    expect(credentials?.agentId).toBe(agent.id)
    expect(await Effect.runPromise(verifyPassword("correct horse battery", credentials!.passwordHash!))).toBe(true)
    expect(await Effect.runPromise(verifyPassword("correct horse battery!", credentials!.passwordHash!))).toBe(false)
    const a = (await call(gw, "POST", "/tokens", { body: { name: "jan-1", role: "admin", agentId: agent.id } })).json
    const b = (await call(gw, "POST", "/tokens", { body: { name: "jan-2", role: "agent", agentId: agent.id } })).json
    expect((await call(gw, "GET", "/agents", { headers: bearer(a.token) })).status).toBe(200)
    expect((await call(gw, "GET", "/me", { headers: bearer(b.token) })).json).toMatchObject({ kind: "agent", role: "agent" })

    const deactivated = await call(gw, "DELETE", `/agents/${agent.id}`)
    expect(deactivated.status).toBe(200)
    expect(deactivated.json).toMatchObject({ id: agent.id, active: false, deactivatedAt: expect.any(String) })
    expect((await call(gw, "GET", "/me", { headers: bearer(a.token) })).status).toBe(401)
    expect((await call(gw, "GET", "/conversations", { headers: bearer(b.token) })).status).toBe(401)
    expect((await call(gw, "GET", `/agents/${agent.id}`)).json.active).toBe(false)
    expect(await gw.runtime.runPromise(People.use((p) => p.credentialsByEmail("jan@gemeente.nl")))).toBeUndefined()
    const tokens = (await call(gw, "GET", "/tokens")).json.items.filter((t: { agentId: string | null }) => t.agentId === agent.id)
    expect(tokens.map((t: { revokedAt: string | null }) => t.revokedAt !== null)).toEqual([true, true])
    // A deactivated agent gets no new token.
    expect((await call(gw, "POST", "/tokens", { body: { name: "again", role: "agent", agentId: agent.id } })).status).toBe(422)
  })

  it("an admin agent demoted to agent loses admin rights on its admin token at the next request", async () => {
    const agent = (await call(gw, "POST", "/agents", { body: { email: "teamleider@gemeente.nl", name: "Teamleider", role: "admin" } })).json
    const { token } = (await call(gw, "POST", "/tokens", { body: { name: "teamleider", role: "admin", agentId: agent.id } })).json
    expect((await call(gw, "GET", "/teams", { headers: bearer(token) })).status).toBe(200)
    expect((await call(gw, "PATCH", `/agents/${agent.id}`, { body: { role: "agent" } })).json.role).toBe("agent")
    expect((await call(gw, "GET", "/teams", { headers: bearer(token) })).status).toBe(403)
    expect((await call(gw, "GET", "/me", { headers: bearer(token) })).json).toMatchObject({ kind: "agent", id: agent.id, role: "agent" })
  })

  it("e-mail addresses are unique case-insensitively and team names unique: 409", async () => {
    expect((await call(gw, "POST", "/agents", { body: { email: "noor@gemeente.nl", name: "Noor", role: "agent" } })).status).toBe(201)
    const dup = await call(gw, "POST", "/agents", { body: { email: "NOOR@gemeente.NL", name: "Noor 2", role: "agent" } })
    expect(dup.status).toBe(409)
    expect(dup.json.error.code).toBe("email_taken")
    expect((await call(gw, "POST", "/teams", { body: { name: "Burgerzaken" } })).status).toBe(201)
    const team = await call(gw, "POST", "/teams", { body: { name: "Burgerzaken" } })
    expect(team.status).toBe(409)
    expect(team.json.error.code).toBe("team_name_taken")
  })

  it("requests racing to take one e-mail address or team name: one 201, the others 409, never a 5xx", async () => {
    const agents = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      call(gw, "POST", "/agents", { body: { email: i % 2 === 0 ? "race@gemeente.nl" : "RACE@gemeente.nl", name: `Race ${i}`, role: "agent" } })))
    expect(agents.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409])
    const teams = await Promise.all(Array.from({ length: 6 }, () => call(gw, "POST", "/teams", { body: { name: "Racebaan" } })))
    expect(teams.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409])
    expect(teams.filter((r) => r.status === 409).map((r) => r.json.error.code)).toEqual(Array(5).fill("team_name_taken"))
  })

  it("renames and deletes teams; a deleted team leaves its members' teams", async () => {
    const team = (await call(gw, "POST", "/teams", { body: { name: "Belastingen" } })).json
    const agent = (await call(gw, "POST", "/agents", { body: { email: "piet@gemeente.nl", name: "Piet", role: "agent", teams: [team.id] } })).json
    expect((await call(gw, "PATCH", `/teams/${team.id}`, { body: { name: "Belastingen en WOZ" } })).json).toEqual({ id: team.id, name: "Belastingen en WOZ", members: [agent.id] })
    expect((await call(gw, "GET", "/teams")).json.items).toContainEqual({ id: team.id, name: "Belastingen en WOZ", members: [agent.id] })
    expect((await call(gw, "DELETE", `/teams/${team.id}`)).status).toBe(204)
    expect((await call(gw, "GET", `/agents/${agent.id}`)).json.teams).toEqual([])
    expect((await call(gw, "DELETE", `/teams/${team.id}`)).status).toBe(404)
    const patched = await call(gw, "PATCH", `/agents/${agent.id}`, { body: { name: "Piet Jansen", role: "admin" } })
    expect(patched.json).toMatchObject({ name: "Piet Jansen", role: "admin", email: "piet@gemeente.nl" })
  })

  it("bad input gets a 4xx naming the field, the limit and the fix", async () => {
    const details = async (method: string, path: string, body: unknown) => {
      const res = await call(gw, method, path, { body })
      expect(res.status).toBe(422)
      expect(res.json.error.code).toBe("invalid_body")
      return res.json.error.details.map((d: { path: string }) => d.path)
    }
    expect(await details("POST", "/agents", { email: "geen-adres", name: "X", role: "agent" })).toEqual(["email"])
    expect(await details("POST", "/agents", { email: "x@y.nl", name: "X", role: "baas" })).toEqual(["role"])
    expect(await details("POST", "/agents", { email: "x@y.nl", name: "X", role: "agent", teams: ["team_bestaat_niet"] })).toEqual(["teams.0"])
    const short = await call(gw, "POST", "/agents", { body: { email: "x@y.nl", name: "X", role: "agent", password: "kort" } })
    expect(short.json.error.details).toEqual([{ path: "password", message: "at least 12 characters" }])
    expect(await details("POST", "/agents", { name: "  ", role: "agent" })).toEqual(["email", "name"])
    expect(await details("POST", "/tokens", { name: "x", role: "superuser" })).toEqual(["role"])
    expect(await details("POST", "/tokens", { name: "x", role: "agent", agentId: "agt_onbekend" })).toEqual(["agentId"])
    expect(await details("POST", "/teams", {})).toEqual(["name"])
    const team = (await call(gw, "POST", "/teams", { body: { name: "Wijkzaken" } })).json
    expect(await details("PATCH", `/teams/${team.id}`, { members: ["agt_onbekend"] })).toEqual(["members.0"])
    expect(await details("POST", "/teams", [1])).toEqual([""])

    const notJson = await call(gw, "POST", "/teams", { raw: "{name:" })
    expect([notJson.status, notJson.json.error.code]).toEqual([400, "invalid_json"])
    const big = await call(gw, "POST", "/agents", { body: { email: "x@y.nl", name: "x".repeat(17 * 1024), role: "agent" } })
    expect([big.status, big.json.error.code]).toEqual([413, "payload_too_large"])
    expect(big.json.error.message).toContain("16 KiB")
    expect((await call(gw, "GET", "/agents/agt_onbekend")).json.error.code).toBe("agent_not_found")
    expect((await call(gw, "PATCH", "/teams/team_onbekend", { body: { name: "x" } })).status).toBe(404)
  })

  it("every people route is in the OpenAPI document, with its body schema", async () => {
    const doc = await (await fetch(`${gw.url}/api/v1/openapi.json`)).json()
    const methods = (path: string) => Object.keys(doc.paths[path] ?? {}).sort()
    expect(methods("/api/v1/me")).toEqual(["get"])
    expect(methods("/api/v1/tokens")).toEqual(["get", "post"])
    expect(methods("/api/v1/tokens/{id}")).toEqual(["delete"])
    expect(methods("/api/v1/agents")).toEqual(["get", "post"])
    expect(methods("/api/v1/agents/{id}")).toEqual(["delete", "get", "patch"])
    expect(methods("/api/v1/teams")).toEqual(["get", "post"])
    expect(methods("/api/v1/teams/{id}")).toEqual(["delete", "patch"])
    expect(doc.components.schemas.CreateAgent.required).toEqual(expect.arrayContaining(["email", "name", "role"]))
    expect(doc.components.schemas.CreateToken.properties.role.enum).toEqual(["admin", "agent"])
    expect(Object.keys(doc.components.schemas.Token.properties)).not.toContain("token")
    expect(doc.components.schemas.CreatedToken.required).toContain("token")
  })
})

describe("LOKET_ADMIN_TOKEN and the generated admin token", () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
    vi.restoreAllMocks()
  })

  /** The same database for both starts: a SQLite file, or (postgres project) one PostgreSQL database. */
  async function database(): Promise<string> {
    if (process.env.LOKET_TEST_DIALECT !== "postgres") return `file:${join(tempDir(), "loket.db")}`
    const db = await freshPostgresDatabase()
    cleanups.push(db.drop)
    return db.url
  }

  it("a token generated at a start without it is refused once a later start sets LOKET_ADMIN_TOKEN", async () => {
    const url = await database()
    const printed: Array<string> = []
    vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => void printed.push(args.join(" ")))
    const { LOKET_ADMIN_TOKEN: _unset, ...withoutToken } = baseEnv({ DATABASE_URL: url })
    const first = await startGateway(withoutToken)
    const generated = /generated an admin token[^:]*: (\S+)/.exec(printed.join("\n"))?.[1]
    expect(generated).toMatch(/^loket_/)
    expect((await call(first, "GET", "/tokens", { headers: bearer(generated!) })).status).toBe(200)
    await first.close()

    // A second start without it keeps the generated token and prints no new one.
    printed.length = 0
    const again = await startGateway(withoutToken)
    expect(printed.join("\n")).not.toContain("generated an admin token")
    expect((await call(again, "GET", "/me", { headers: bearer(generated!) })).status).toBe(200)
    await again.close()

    const second = await startGateway(baseEnv({ DATABASE_URL: url }))
    cleanups.push(() => second.close())
    expect((await call(second, "GET", "/me", { headers: bearer(generated!) })).status).toBe(401)
    expect((await call(second, "GET", "/me", { headers: bearer(ADMIN_TOKEN) })).json).toMatchObject({ kind: "token", role: "admin" })
    const listed = (await call(second, "GET", "/tokens")).json.items
    expect(listed.find((t: { origin: string }) => t.origin === "generated").revokedAt).toEqual(expect.any(String))
  })

  it("a changed LOKET_ADMIN_TOKEN refuses the old value", async () => {
    const url = await database()
    const first = await startGateway(baseEnv({ DATABASE_URL: url, LOKET_ADMIN_TOKEN: "oud-token-van-de-beheerder" }))
    expect((await call(first, "GET", "/me", { headers: bearer("oud-token-van-de-beheerder") })).status).toBe(200)
    await first.close()
    const second = await startGateway(baseEnv({ DATABASE_URL: url, LOKET_ADMIN_TOKEN: "nieuw-token-van-de-beheerder" }))
    cleanups.push(() => second.close())
    expect((await call(second, "GET", "/me", { headers: bearer("oud-token-van-de-beheerder") })).status).toBe(401)
    expect((await call(second, "GET", "/me", { headers: bearer("nieuw-token-van-de-beheerder") })).status).toBe(200)
  })
})
