/**
 * `/console/admin/*`: the admins' settings and people pages. The role is checked here (an agent
 * gets 403) and again by the API each form is saved through (settings, agents, teams: admin
 * only, audited there).
 */
import { type Context, Hono, type MiddlewareHandler } from "hono"
import { bodyLimit } from "hono/body-limit"
import { People } from "../../../actors/people/People.ts"
import { Settings } from "../../../actors/settings/Settings.ts"
import { jsonError } from "../../http/errors.ts"
import type { AppRuntime } from "../../Runtime.ts"
import { type CallApi, errorMessage } from "../api-client.ts"
import type { ConsoleEnv } from "../session.ts"
import { textsFor } from "../texts.ts"
import { type ApprovedTemplate, type Problem, PeoplePage, SettingsPage, WEEKDAYS } from "./AdminPages.tsx"

/** The settings form: the API takes the document up to 256 KiB; the form of these fields is far less. */
export const ADMIN_FORM_LIMIT = 64 * 1024

interface AdminDeps {
  readonly runtime: AppRuntime
  readonly callApi: CallApi
  readonly shellPage: (c: Context<ConsoleEnv>, title: string, main: unknown, status?: 200 | 400 | 403 | 422) => Promise<Response>
}

const SLOTS = /^\s*(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})\s*$/

/** "08:30-12:00, 13:00-17:00" as slots; undefined when a part is not written so. "" is closed. */
function parseSlots(raw: string): Array<{ open: string; close: string }> | undefined {
  const trimmed = raw.trim()
  if (trimmed === "") return []
  const slots = trimmed.split(",").map((part) => SLOTS.exec(part))
  return slots.some((m) => m === null) ? undefined : slots.map((m) => ({ open: m![1]!, close: m![2]! }))
}

/** The submitted form's text fields (a file field, which this form has none of, is left out). */
export const formFields = (form: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => typeof e[1] === "string"))

/**
 * The settings form as a JSON merge patch; problems name the field (as the API's details do).
 * Special dates (`officeHours.overrides`) are patched key by key: a removed or re-dated row's
 * old date is `null` (deleted), the others carry their slots ([] closes the date).
 */
export function settingsPatch(form: Record<string, unknown>, texts: ReturnType<typeof textsFor>): { patch: Record<string, unknown>; problems: Array<Problem> } {
  const text = (key: string) => (typeof form[key] === "string" ? (form[key] as string) : "")
  const problems: Array<Problem> = []
  const weekly: Record<string, Array<{ open: string; close: string }>> = {}
  for (const day of WEEKDAYS) {
    const slots = parseSlots(text(`officeHours.weekly.${day}`))
    if (slots === undefined) problems.push({ path: `officeHours.weekly.${day}`, message: texts.admin.badSlots(texts.admin.days[day] ?? day) })
    weekly[day] = slots ?? []
  }
  const overrides: Record<string, Array<{ open: string; close: string }> | null> = {}
  for (let i = 0; typeof form[`overrides.${i}.was`] === "string"; i++) {
    const was = text(`overrides.${i}.was`)
    const date = text(`overrides.${i}.date`).trim()
    if (form[`overrides.${i}.remove`] === "on" || date === "") {
      overrides[was] = null
      continue
    }
    if (date !== was) overrides[was] = null
    const slots = parseSlots(text(`overrides.${i}.hours`))
    if (slots === undefined) problems.push({ path: `overrides.${i}`, message: texts.admin.badOverrideHours(date) })
    overrides[date] = slots ?? []
  }
  const newDate = text("overrides.new.date").trim()
  const newHours = text("overrides.new.hours")
  if (newDate !== "") {
    const slots = parseSlots(newHours)
    if (slots === undefined) problems.push({ path: "overrides.new", message: texts.admin.badOverrideHours(newDate) })
    overrides[newDate] = slots ?? []
  } else if (newHours.trim() !== "") problems.push({ path: "overrides.new", message: texts.admin.overrideHoursWithoutDate })
  const reply = (key: string) => ({ enabled: form[`autoReplies.${key}.enabled`] === "on", text: text(`autoReplies.${key}.text`) })
  const lines = (key: string) => text(key).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0)
  const percentage = Number(text("widget.percentage").trim())
  if (text("widget.percentage").trim() === "" || !Number.isFinite(percentage)) problems.push({ path: "widget.percentage", message: texts.admin.badPercentage })
  const daysText = text("retention.messagesDays").trim()
  const days = daysText === "" ? null : /^-?\d+$/.test(daysText) ? Number(daysText) : undefined
  if (days === undefined) problems.push({ path: "retention.messagesDays", message: texts.admin.badDays })
  const buttons = lines("followUp.template.buttons")
  const patch = {
    language: text("language"),
    access: text("access"),
    linkProtection: { mode: text("linkProtection.mode") },
    autoReplies: { outOfHours: reply("outOfHours"), receipt: reply("receipt"), firstContact: reply("firstContact") },
    officeHours: { weekly, closedDates: lines("officeHours.closedDates"), ...(Object.keys(overrides).length > 0 ? { overrides } : {}) },
    followUp: {
      enabled: form["followUp.enabled"] === "on",
      template: { name: text("followUp.template.name").trim(), language: text("followUp.template.language").trim(), buttons: buttons.length > 0 ? buttons : null }
    },
    personalData: {
      detect: form["personalData.detect"] === "on", warnResident: form["personalData.warnResident"] === "on",
      text: text("personalData.text"), maskForAgents: form["personalData.maskForAgents"] === "on"
    },
    retention: { messagesDays: days ?? null },
    widget: {
      enabled: form["widget.enabled"] === "on", percentage, number: text("widget.number").trim(), text: text("widget.text"),
      paths: { include: lines("widget.paths.include"), exclude: lines("widget.paths.exclude") },
      officeHours: text("widget.officeHours")
    }
  }
  return { patch, problems }
}

export function adminRoutes({ runtime, callApi, shellPage }: AdminDeps) {
  const adminOnly: MiddlewareHandler<ConsoleEnv> = async function adminOnly(c, next) {
    if (c.get("principal").role !== "admin") {
      const texts = textsFor(c.get("language"))
      return shellPage(c, texts.settings, <p class="alert" role="alert">{texts.admin.forbidden}</p>, 403)
    }
    await next()
  }
  const formLimit = bodyLimit({
    maxSize: ADMIN_FORM_LIMIT,
    onError: (c) => jsonError(c, 413, "payload_too_large", `An admin form is limited to ${ADMIN_FORM_LIMIT / 1024} KiB; larger settings documents go through PUT /api/v1/settings.`)
  })
  /** The synced templates Meta approved: offered for the follow-up. */
  const approvedTemplates = async (c: Context<ConsoleEnv>): Promise<Array<ApprovedTemplate>> => {
    const answer = await callApi<{ items: Array<{ name: string; language: string; status: string }> }>(c, c.get("session"), "/templates")
    return answer.status !== 200 ? [] : answer.body.items.filter((t) => t.status === "APPROVED").map(({ name, language }) => ({ name, language }))
  }
  /**
   * The settings page; after a refusal `form` (what was submitted) is shown again as typed.
   * `approvedList`: the approved templates when the caller has just read them (the sync's notice counts them).
   */
  const settingsPage = async (c: Context<ConsoleEnv>, problems: ReadonlyArray<Problem>, status: 200 | 400 | 422 = 200, form?: Record<string, string>, notice?: { text: string; failed: boolean }, approvedList?: Array<ApprovedTemplate>) => {
    const texts = textsFor(c.get("language"))
    const [settings, approved] = await Promise.all([runtime.runPromise(Settings.use((s) => s.current)), approvedList ?? approvedTemplates(c)])
    return shellPage(c, texts.settings, <SettingsPage texts={texts} csrf={c.get("session").csrfToken} settings={settings} problems={problems}
      saved={c.req.query("saved") === "1"} form={form} notice={notice} approved={approved} />, status)
  }
  const peoplePage = async (c: Context<ConsoleEnv>, problems: ReadonlyArray<Problem>, status: 200 | 400 | 422 = 200) => {
    const texts = textsFor(c.get("language"))
    const [agents, teams] = await Promise.all([runtime.runPromise(People.use((p) => p.listAgents())), runtime.runPromise(People.use((p) => p.listTeams()))])
    return shellPage(c, texts.admin.people, <PeoplePage texts={texts} csrf={c.get("session").csrfToken} agents={agents} teams={teams} problems={problems} saved={c.req.query("saved") === "1"} />, status)
  }
  /**
   * The API's refusal as the form shows it: each problem at its field; those with a code (the
   * follow-up's template, which is fixed at Meta or by fetching the templates) in the admin's language.
   */
  const refusal = (c: Context<ConsoleEnv>, answer: { status: number; body: any }, form: Record<string, string> = {}): Array<Problem> => {
    const texts = textsFor(c.get("language"))
    const details = answer.body?.error?.details as Array<Problem & { code?: string }> | undefined
    if (details === undefined) return [{ path: "", message: errorMessage(answer, texts) }]
    const name = form["followUp.template.name"] ?? ""
    const language = form["followUp.template.language"] ?? ""
    return details.map((p) =>
      p.code === "template_not_synced" ? { path: p.path, message: texts.admin.templateNotSynced(name, language) }
      : p.code === "template_not_approved" ? { path: p.path, message: texts.admin.templateNotApproved(name, language) }
      : { path: p.path, message: p.message })
  }

  return new Hono<ConsoleEnv>()
    .use("*", adminOnly)
    .get("/settings", (c) => settingsPage(c, []))
    .post("/settings", formLimit, async function saveSettings(c) {
      const submitted = formFields(await c.req.parseBody())
      const { patch, problems } = settingsPatch(submitted, textsFor(c.get("language")))
      if (problems.length > 0) return settingsPage(c, problems, 400, submitted)
      const answer = await callApi(c, c.get("session"), "/settings", { method: "PATCH", body: patch })
      if (answer.status !== 200) return settingsPage(c, refusal(c, answer, submitted), 422, submitted)
      return c.redirect("/console/admin/settings?saved=1", 303)
    })
    // The settings form's "fetch templates" button: the templates are synced from Meta (POST
    // /api/v1/templates/sync, admin), and the form comes back as the admin typed it, not saved yet.
    .post("/templates/sync", formLimit, async function syncTemplates(c) {
      const texts = textsFor(c.get("language"))
      const submitted = formFields(await c.req.parseBody())
      const answer = await callApi<{ count: number }>(c, c.get("session"), "/templates/sync", { method: "POST" })
      if (answer.status !== 200) {
        return settingsPage(c, [], 200, submitted, { text: texts.admin.templatesNotSynced(errorMessage(answer, texts)), failed: true })
      }
      const approved = await approvedTemplates(c)
      return settingsPage(c, [], 200, submitted, { text: texts.admin.templatesSynced(answer.body.count, approved.length), failed: false }, approved)
    })
    .get("/people", (c) => peoplePage(c, []))
    .post("/people", formLimit, async function createAgent(c) {
      const form = await c.req.parseBody()
      const field = (key: string) => (typeof form[key] === "string" ? (form[key] as string) : "")
      const body: Record<string, unknown> = { name: field("name"), email: field("email"), role: field("role") }
      if (field("password") !== "") body.password = field("password")
      if (field("team") !== "") body.teams = [field("team")]
      const answer = await callApi(c, c.get("session"), "/agents", { method: "POST", body })
      if (answer.status !== 201) return peoplePage(c, refusal(c, answer), 422)
      return c.redirect("/console/admin/people?saved=1", 303)
    })
    .post("/people/:id/deactivate", formLimit, async function deactivateAgent(c) {
      const answer = await callApi(c, c.get("session"), `/agents/${encodeURIComponent(c.req.param("id"))}`, { method: "DELETE" })
      if (answer.status !== 200) return peoplePage(c, refusal(c, answer), 422)
      return c.redirect("/console/admin/people?saved=1", 303)
    })
    .post("/teams", formLimit, async function createTeam(c) {
      const name = (await c.req.parseBody()).name
      const answer = await callApi(c, c.get("session"), "/teams", { method: "POST", body: { name: typeof name === "string" ? name : "" } })
      if (answer.status !== 201) return peoplePage(c, refusal(c, answer), 422)
      return c.redirect("/console/admin/people?saved=1", 303)
    })
}
