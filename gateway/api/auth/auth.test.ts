import { describe, expect, it } from "vitest"
import { Hono } from "hono"
import { bearerAuth, type AuthEnv } from "./index.ts"
import type { Principal } from "./ApiTokens.ts"

const tokens: Record<string, Principal> = {
  "admin-token": { kind: "token", id: "t1", tokenId: "t1", name: "admin", role: "admin", teams: [], agentId: null },
  "agent-token": { kind: "agent", id: "agt_1", tokenId: "t2", name: "agent", role: "agent", teams: [], agentId: "agt_1" }
}
const app = new Hono<AuthEnv>()
  .use("/api/*", bearerAuth((t) => tokens[t]))
  .get("/api/who", (c) => c.json({ name: c.get("principal").name }))
  .get("/admin", bearerAuth((t) => tokens[t], "admin"), (c) => c.json({ ok: true }))

describe("bearerAuth", () => {
  it("lets a valid token through and names its principal", async () => {
    const res = await app.request("/api/who", { headers: { authorization: "Bearer agent-token" } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ name: "agent" })
  })

  it("answers 401 with a JSON error without a token, with a wrong one, or with another scheme", async () => {
    for (const authorization of [undefined, "Bearer nope", "Basic YWRtaW46eA==", "Bearer"]) {
      const res = await app.request("/api/who", { headers: authorization === undefined ? {} : { authorization } })
      expect(res.status).toBe(401)
      expect((await res.json()).error.code).toBe("unauthorized")
    }
  })

  it("keeps admin routes for admin tokens", async () => {
    expect((await app.request("/admin", { headers: { authorization: "Bearer agent-token" } })).status).toBe(403)
    expect((await app.request("/admin", { headers: { authorization: "Bearer admin-token" } })).status).toBe(200)
  })
})
