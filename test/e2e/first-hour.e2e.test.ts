/**
 * The README's first hour, as a newcomer types it: a gateway started with the README's two
 * variables, `npm run sample:webhook`, and the conversation it made read through the API.
 */
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { baseEnv, startGateway, type TestGateway } from "../support/gateway.ts"

const run = promisify(execFile)
let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway(baseEnv({ WHATSAPP_APP_SECRET: "try-it", LOKET_ADMIN_TOKEN: "try-it" }))
})
afterAll(() => gw.close())

const sample = (env: Record<string, string>, ...args: Array<string>) =>
  run("npm", ["run", "--silent", "sample:webhook", "--", ...args], {
    cwd: new URL("../../", import.meta.url).pathname, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOKET_URL: gw.url, ...env }
  }).then((r) => ({ code: 0, out: r.stdout + r.stderr }), (e) => ({ code: e.code as number, out: String(e.stdout) + String(e.stderr) }))

describe("npm run sample:webhook", () => {
  it("makes a conversation appear that the API lists with the resident's words", async () => {
    const result = await sample({}, "Hoi, is het stadhuis morgen open?")
    expect(result.code, result.out).toBe(0)
    expect(result.out).toContain("answered 200")
    expect(result.out).toContain(`curl -H "Authorization: Bearer try-it" ${gw.url}/api/v1/conversations`)
    const list = await (await fetch(`${gw.url}/api/v1/conversations`, { headers: { authorization: "Bearer try-it" } })).json()
    expect(list.items).toHaveLength(1)
    const messages = await (await fetch(`${gw.url}/api/v1/conversations/${list.items[0].id}/messages`, { headers: { authorization: "Bearer try-it" } })).json()
    // The resident's words; outside office hours Loket's own out-of-hours reply follows them.
    const fromResident = messages.items.filter((m: any) => m.direction === "inbound")
    expect(fromResident.map((m: any) => m.text)).toEqual(["Hoi, is het stadhuis morgen open?"])
    for (const m of messages.items.filter((m: any) => m.direction !== "inbound")) expect(m).toMatchObject({ author: "loket", flags: expect.arrayContaining(["auto"]) })
  })

  it("says what to do when the secrets differ", async () => {
    const result = await sample({ WHATSAPP_APP_SECRET: "other" })
    expect(result.code).not.toBe(0)
    expect(result.out).toContain("WHATSAPP_APP_SECRET is not 'other'")
  })
})
