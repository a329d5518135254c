/**
 * Every admin action is audited: who did what, when, before and after — and never a token's
 * secret or a password. `GET /api/v1/audit` lists them all, newest first, for admins only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { auth, startGateway, type TestGateway } from "../support/gateway.ts"

let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway()
})
afterAll(() => gw.close())

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(`${gw.url}/api/v1${path}`, {
    method, headers: { ...headers, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  return { status: res.status, json: text === "" ? undefined : JSON.parse(text) }
}

describe("the audit log of admin actions", () => {
  it("records agents, teams, tokens and settings with the actor, before and after; secrets never", async () => {
    const team = (await call("POST", "/teams", { name: "Vakteam Belastingen" })).json
    const agent = (await call("POST", "/agents", { email: "an@gemeente.example", name: "An Jansen", role: "agent", teams: [team.id], password: "een-lang-wachtwoord" })).json
    await call("PATCH", `/agents/${agent.id}`, { name: "An Jansen-de Wit" })
    const token = (await call("POST", "/tokens", { name: "koppeling-zaaksysteem", role: "agent" })).json
    await call("DELETE", `/tokens/${token.id}`)
    await call("DELETE", `/agents/${agent.id}`)
    await call("PATCH", "/settings", { language: "en" })

    const log = await call("GET", "/audit?limit=50")
    expect(log.status).toBe(200)
    const actions = log.json.items.map((e: any) => `${e.action} ${e.target}`)
    expect(actions).toEqual([
      "settings.update settings",
      `agent.deactivate agent:${agent.id}`,
      `token.revoke token:${token.id}`,
      `token.create token:${token.id}`,
      `agent.update agent:${agent.id}`,
      `agent.create agent:${agent.id}`,
      `team.create team:${team.id}`
    ])
    for (const entry of log.json.items) expect(entry.actor).toMatchObject({ kind: "token", name: "LOKET_ADMIN_TOKEN" })
    const update = log.json.items.find((e: any) => e.action === "agent.update")
    expect(update.before.name).toBe("An Jansen")
    expect(update.after.name).toBe("An Jansen-de Wit")
    const text = JSON.stringify(log.json)
    expect(text).not.toContain(token.token)
    expect(text).not.toContain("een-lang-wachtwoord")
    expect(text).not.toContain("scrypt$")

    const onlyAgent = await call("GET", `/audit?target=${encodeURIComponent(`agent:${agent.id}`)}`)
    expect(onlyAgent.json.items.map((e: any) => e.action)).toEqual(["agent.deactivate", "agent.update", "agent.create"])
  })

  it("is for admins only", async () => {
    const agentToken = (await call("POST", "/tokens", { name: "balie", role: "agent" })).json.token
    expect((await call("GET", "/audit", undefined, { authorization: `Bearer ${agentToken}` })).status).toBe(403)
    expect((await call("GET", "/audit", undefined, {})).status).toBe(401)
  })
})
