/**
 * LOKET_CONFIG (config as code): a JSON or YAML settings file applied at start and audited as
 * LOKET_CONFIG; the same file again changes nothing; an invalid file stops the start with one
 * line per problem. Real child-process gateways on SQLite.
 */
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { auth, baseEnv, type ChildGateway, freePort, startChildGateway, tempDir } from "../support/gateway.ts"

const running: Array<ChildGateway> = []
afterEach(async () => {
  for (const gateway of running.splice(0)) await gateway.kill()
})

async function start(env: Record<string, string>) {
  const gateway = await startChildGateway(env)
  running.push(gateway)
  return gateway
}

const json = async (url: string) => (await fetch(url, { headers: auth })).json() as Promise<any>

/** Runs the gateway to its exit; answers the exit code and everything it printed. */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const port = String(await freePort())
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "gateway/main.ts"], {
      cwd: new URL("../../", import.meta.url).pathname,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: port, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`the gateway did not stop within 20 s:\n${output}`))
    }, 20_000)
    child.once("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

describe("LOKET_CONFIG", () => {
  it("applies a JSON file at start, audited as LOKET_CONFIG, and the same file again changes nothing", async () => {
    const file = join(tempDir(), "loket.json")
    writeFileSync(file, JSON.stringify({ language: "en", officeHours: { closedDates: ["2026-12-24"], weekly: { monday: [{ open: "09:00", close: "12:00" }] } } }))
    const env = baseEnv({ LOKET_CONFIG: file })
    let gateway = await start(env)
    expect(gateway.output()).toContain(`settings from LOKET_CONFIG ${file}: applied`)
    const settings = await json(`${gateway.url}/api/v1/settings`)
    expect(settings).toMatchObject({ language: "en", officeHours: { closedDates: ["2026-12-24"], weekly: { monday: [{ open: "09:00", close: "12:00" }], tuesday: [] } } })
    const audit = await json(`${gateway.url}/api/v1/settings/audit`)
    expect(audit.items).toHaveLength(1)
    expect(audit.items[0]).toMatchObject({ actor: { kind: "config", id: "LOKET_CONFIG", name: "LOKET_CONFIG" }, action: "settings.replace", before: { language: "nl" }, after: { language: "en" } })

    await gateway.kill()
    running.splice(0)
    gateway = await start(env)
    expect(gateway.output()).toContain(`settings from LOKET_CONFIG ${file}: unchanged`)
    expect((await json(`${gateway.url}/api/v1/settings/audit`)).items).toHaveLength(1)
  })

  it("reads YAML (.yaml and .yml)", async () => {
    for (const name of ["loket.yaml", "loket.yml"]) {
      const file = join(tempDir(), name)
      writeFileSync(file, [
        "access: team",
        "officeHours:",
        "  weekly:",
        "    monday:",
        "      - { open: \"08:30\", close: \"12:00\" }",
        "      - { open: \"13:00\", close: \"17:00\" }",
        "  overrides:",
        "    \"2026-12-24\": [{ open: \"08:30\", close: \"12:00\" }]",
        "autoReplies:",
        "  receipt: { enabled: true, text: \"Bedankt, we hebben uw bericht.\" }",
        ""
      ].join("\n"))
      const gateway = await start(baseEnv({ LOKET_CONFIG: file }))
      const settings = await json(`${gateway.url}/api/v1/settings`)
      expect(settings).toMatchObject({
        access: "team",
        officeHours: { weekly: { monday: [{ open: "08:30", close: "12:00" }, { open: "13:00", close: "17:00" }] }, overrides: { "2026-12-24": [{ open: "08:30", close: "12:00" }] } },
        autoReplies: { receipt: { enabled: true, text: "Bedankt, we hebben uw bericht." } }
      })
      await gateway.kill()
      running.splice(0)
    }
  })

  it("stops the start on an invalid file with one line per problem", async () => {
    const file = join(tempDir(), "loket.yaml")
    writeFileSync(file, [
      "officeHours:",
      "  weekly:",
      "    monday: [{ open: \"25:00\", close: \"17:00\" }]",
      "    funday: []",
      "  closedDates: [\"2026-02-30\"]",
      "widget: { percentage: 250 }",
      ""
    ].join("\n"))
    const { code, output } = await runToExit(baseEnv({ LOKET_CONFIG: file }))
    expect(code).toBe(1)
    const lines = output.trim().split("\n").filter((line) => line.startsWith("LOKET_CONFIG"))
    expect(lines).toEqual([
      "LOKET_CONFIG officeHours.weekly.funday: unknown key; expected one of monday, tuesday, wednesday, thursday, friday, saturday, sunday",
      'LOKET_CONFIG officeHours.weekly.monday[0].open: expected HH:MM (00:00–23:59), got "25:00"',
      'LOKET_CONFIG officeHours.closedDates[0]: expected a real date as YYYY-MM-DD (e.g. 2026-12-24), got "2026-02-30"',
      "LOKET_CONFIG widget.percentage: expected a percentage from 0 to 100, got 250"
    ])
    expect(output).not.toContain("Loket listening")
  })

  it("stops the start on a file that is not YAML, or a path that is not .json/.yaml/.yml", async () => {
    const file = join(tempDir(), "loket.yaml")
    writeFileSync(file, "officeHours: [unclosed\n")
    const broken = await runToExit(baseEnv({ LOKET_CONFIG: file }))
    expect(broken.code).toBe(1)
    expect(broken.output).toContain(`LOKET_CONFIG: ${file} is not valid YAML`)
    const wrongKind = await runToExit(baseEnv({ LOKET_CONFIG: join(tempDir(), "loket.toml") }))
    expect(wrongKind.code).toBe(1)
    expect(wrongKind.output).toContain("LOKET_CONFIG")
    expect(wrongKind.output).toContain(".json, .yaml or .yml")
  })
})
