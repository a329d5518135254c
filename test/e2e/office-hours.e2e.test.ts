/** `GET /api/v1/office-hours` on a real gateway: bearer auth, the preview of the default hours, 422 naming the field. */
import { Ajv2020 } from "ajv/dist/2020.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hashToken } from "../../gateway/api/auth/ApiTokens.ts"
import { Database } from "../../drizzle/Database.ts"
import { defaultOfficeHours, isOpen } from "../../domain/office-hours/OfficeHours.ts"
import { auth, baseEnv, startGateway, type TestGateway } from "../support/gateway.ts"

let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway(baseEnv({ LOKET_TIMEZONE: "Europe/Amsterdam" }))
})
afterAll(() => gw.close())

const get = (query: string, headers: Record<string, string> = auth) => fetch(`${gw.url}/api/v1/office-hours${query}`, { headers })

describe("GET /api/v1/office-hours", () => {
  it("needs a bearer token, and any role will do", async () => {
    expect((await get("?from=2026-04-27&days=7", {})).status).toBe(401)
    expect((await get("?from=2026-04-27&days=7", { authorization: "Bearer not-a-token" })).status).toBe(401)
    await gw.runtime.runPromise(Database.use((database) => database.run((db, t) =>
      db.insert(t.apiTokens).values({ id: "tok_agent_oh", tokenHash: hashToken("agent-token-oh"), role: "agent", name: "agent", createdAt: new Date().toISOString() }))))
    const agent = await get("?from=2026-04-27&days=7", { authorization: "Bearer agent-token-oh" })
    expect(agent.status).toBe(200)
    expect((await agent.json()).closed).toEqual([{ date: "2026-04-27", reason: "Koningsdag" }])
  })

  it("previews the default hours (Monday–Friday 08:30–17:00, Dutch holidays) for a week with Tweede Paasdag", async () => {
    const before = Date.now()
    const res = await get("?from=2026-04-06&days=7")
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.timezone).toBe("Europe/Amsterdam")
    expect(body.closed).toEqual([{ date: "2026-04-06", reason: "Tweede Paasdag" }])
    expect(body.open).toEqual(["07", "08", "09", "10"].map((d) => ({ from: `2026-04-${d}T06:30:00.000Z`, until: `2026-04-${d}T15:00:00.000Z` })))
    // nextOpen is from the gateway's now: an open instant, not before the request, within the next five days.
    const next = new Date(body.nextOpen).getTime()
    expect(next).toBeGreaterThanOrEqual(before - 1000)
    expect(next - before).toBeLessThan(5 * 86_400_000)
    expect(isOpen(defaultOfficeHours("Europe/Amsterdam"), new Date(next))).toBe(true)
    // The answer is what the OpenAPI document says it is.
    const document = await (await fetch(`${gw.url}/api/v1/openapi.json`)).json()
    const operation = document.paths["/api/v1/office-hours"].get
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(["from", "days"])
    expect(operation.responses["200"].content["application/json"].schema.$ref).toBe("#/components/schemas/OfficeHoursPreview")
    const validate = new Ajv2020({ strict: false }).compile(document.components.schemas.OfficeHoursPreview)
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true)
  })

  it.each([
    ["?from=2026-02-30&days=7", "from"],
    ["?from=2026-4-6", "from"],
    ["?from=tomorrow", "from"],
    ["?days=0", "days"],
    ["?days=401", "days"],
    ["?days=7.5", "days"],
    ["?days=a-week", "days"]
  ])("answers 422 naming the field for %s", async (query, field) => {
    const res = await get(query)
    expect(res.status).toBe(422)
    const body = await res.json()
    expect(body.error.code).toBe("invalid_query")
    expect([...new Set(body.error.details.map((d: { path: string }) => d.path))]).toEqual([field])
    expect(body.error.message).toContain("days=1..400")
  })

  it("takes the full 400 days", async () => {
    const res = await get("?from=2026-01-01&days=400")
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.closed.map((d: { reason: string }) => d.reason)).toContain("Koningsdag")
    expect(body.closed.at(-1)).toEqual({ date: "2027-01-01", reason: "Nieuwjaarsdag" })
  })
})
