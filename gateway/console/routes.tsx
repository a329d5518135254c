/**
 * `/console`: the agent console, server-rendered (Hono JSX), live through htmx and its SSE
 * extension. Every page and action checks the session (and on changes its CSRF token) first;
 * what is shown and done goes through the agent API with the session (api-client.ts), so roles
 * and the `access` setting apply exactly as for API callers.
 */
import { type Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import { setCookie } from "hono/cookie"
import { Settings } from "../../actors/settings/Settings.ts"
import type { Conversation } from "../../domain/Conversation.ts"
import type { Message } from "../../domain/Message.ts"
import { jsonError } from "../http/errors.ts"
import type { Lifecycle } from "../lifecycle.ts"
import { type AppRuntime, clockMillis } from "../Runtime.ts"
import { type AppFetch, apiClient, errorMessage } from "./api-client.ts"
import { consoleAssets } from "./assets.ts"
import { trustCheck } from "./client-address.ts"
import { consoleEvents } from "./events.ts"
import { CONSOLE_ATTACHMENT_LIMIT, CONSOLE_FORM_LIMIT } from "./limits.ts"
import { loginRoutes } from "./login/routes.tsx"
import { oidcFlow } from "./login/oidc.ts"
import type { LoketConfigValue } from "../../config/Config.ts"
import { ConversationList, LIST_VIEWS, ListItems, type ListView } from "./pages/ConversationList.tsx"
import { CONSOLE_POLICY } from "./pages/Document.tsx"
import { Shell } from "./pages/Shell.tsx"
import { MessageItems, type TemplateChoice, Thread } from "./pages/Thread.tsx"
import { Assignment, type CannedChoice, WorkPanel } from "./pages/WorkPanel.tsx"
import { People } from "../../actors/people/People.ts"
import { adminRoutes } from "./admin/routes.tsx"
import { type ConsoleEnv, cookieIsSecure, LANGUAGE_COOKIE, requireSession } from "./session.ts"
import { textsFor } from "./texts.ts"

const LIST_LIMIT = 50
const MESSAGE_PAGES = 10

/** The list views the API can answer (`assignee`, `team` filters); "all" always. */
export interface ConsoleOptions {
  readonly views: ReadonlyArray<ListView>
}

const isView = (v: string | undefined): v is ListView => LIST_VIEWS.includes(v as ListView)

export function consoleRoutes(runtime: AppRuntime, lifecycle: Lifecycle, appFetch: AppFetch, config: LoketConfigValue, options: ConsoleOptions = { views: LIST_VIEWS }) {
  const callApi = apiClient(appFetch)
  const settingsNow = () => runtime.runPromise(Settings.use((s) => s.current))
  const now = clockMillis(runtime)

  /** The API queries a view stands for: Team is one per team of the agent, merged. */
  const listQueries = (c: Context<ConsoleEnv>, view: ListView): Array<URLSearchParams> => {
    const q = (extra: Record<string, string>) => new URLSearchParams({ status: "open", limit: String(LIST_LIMIT), ...extra })
    switch (view) {
      case "mine": return [q({ assignee: "me" })]
      case "unassigned": return [q({ assignee: "none" })]
      case "team": return c.get("principal").teams.map((team) => q({ team }))
      case "all": return [q({ status: "all" })]
    }
  }
  const viewOf = (c: Context<ConsoleEnv>): ListView => {
    const v = c.req.query("view")
    return isView(v) && options.views.includes(v) ? v : "all"
  }

  const loadList = async (c: Context<ConsoleEnv>, view: ListView) => {
    const answers = await Promise.all(listQueries(c, view).map((q) => callApi<{ items: Array<Conversation> }>(c, c.get("session"), `/conversations?${q}`)))
    const items = answers.flatMap((a) => (a.status === 200 ? a.body.items : []))
    const unique = [...new Map(items.map((i) => [i.id, i])).values()]
    return unique.sort((a, b) => (a.lastMessageAt === b.lastMessageAt ? (a.id < b.id ? 1 : -1) : a.lastMessageAt < b.lastMessageAt ? 1 : -1)).slice(0, LIST_LIMIT)
  }
  const loadPeople = async () => {
    const [teams, agents] = await Promise.all([runtime.runPromise(People.use((p) => p.listTeams())), runtime.runPromise(People.use((p) => p.listAgents()))])
    return { teams: teams.map((t) => ({ id: t.id, name: t.name })), agentNames: new Map(agents.map((a) => [a.id, a.name])) }
  }
  const loadCanned = async (c: Context<ConsoleEnv>, id: string): Promise<Array<CannedChoice>> => {
    const answer = await callApi<{ items: Array<{ id: string; shortcut: string; title: string; text: string; rendered?: string }> }>(c, c.get("session"), `/canned-responses?conversationId=${encodeURIComponent(id)}`)
    return answer.status === 200 ? answer.body.items.map((i) => ({ id: i.id, shortcut: i.shortcut, title: i.title, text: i.rendered ?? i.text })) : []
  }
  const loadMessages = async (c: Context<ConsoleEnv>, id: string) => {
    const messages: Array<Message> = []
    let cursor: string | null = null
    for (let page = 0; page < MESSAGE_PAGES; page++) {
      const answer: { status: number; body: { items: Array<Message>; nextCursor: string | null } } =
        await callApi(c, c.get("session"), `/conversations/${id}/messages?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)
      if (answer.status !== 200) break
      messages.push(...answer.body.items)
      cursor = answer.body.nextCursor
      if (cursor === null) break
    }
    return messages
  }
  const loadTemplates = async (c: Context<ConsoleEnv>): Promise<Array<TemplateChoice>> => {
    const answer = await callApi<{ items: Array<{ name: string; language: string; status: string; components: unknown; parameterCounts: { body: number } | null }> }>(c, c.get("session"), "/templates")
    const bodyText = (components: unknown) => {
      const body = Array.isArray(components) ? components.find((part) => (part as { type?: unknown })?.type === "BODY") : undefined
      return typeof body?.text === "string" ? (body.text as string) : null
    }
    return answer.status === 200
      ? answer.body.items.filter((t) => t.status === "APPROVED").map((t) => ({ name: t.name, language: t.language, body: t.parameterCounts?.body ?? 0, text: bodyText(t.components) }))
      : []
  }

  const html = (c: Context, body: string, status: 200 | 400 | 404 | 409 | 413 | 422 | 429 | 503 = 200) => {
    c.header("content-security-policy", CONSOLE_POLICY)
    c.header("cache-control", "no-store")
    return c.html(body, status)
  }

  /** A console page around `main`, with the list (the default view) on the left. */
  async function shellPage(c: Context<ConsoleEnv>, title: string, main: unknown, status: 200 | 400 | 403 | 422 = 200) {
    const language = c.get("language")
    const texts = textsFor(language)
    const [settings, items] = await Promise.all([settingsNow(), loadList(c, "all")])
    const list = <ConversationList texts={texts} language={language} timeZone={settings.officeHours.timezone} view="all" views={options.views} items={items} />
    const here = new URL(c.req.url).pathname
    return html(c, `<!doctype html>${<Shell language={language} texts={texts} principal={c.get("principal")} csrf={c.get("session").csrfToken} title={title} here={here} list={list}>{main as never}</Shell>}`, status as 200)
  }

  async function page(c: Context<ConsoleEnv>, conversationId?: string) {
    const language = c.get("language")
    const texts = textsFor(language)
    const settings = await settingsNow()
    const timeZone = settings.officeHours.timezone
    const view = viewOf(c)
    const items = await loadList(c, view)
    let main: unknown = <p class="empty">{texts.chooseConversation}</p>
    let title = `${texts.conversations} · ${texts.appName}`
    let status: 200 | 404 | 503 = 200
    const answer = conversationId === undefined ? undefined : await callApi<Conversation>(c, c.get("session"), `/conversations/${conversationId}`)
    if (conversationId !== undefined && answer !== undefined && answer.status !== 200) {
      // A stale link, or a conversation the agent may not see: the console's page with the reason, not the API's JSON.
      status = answer.status === 404 ? 404 : 503
      main = <p class="alert" role="alert">{errorMessage(answer, texts)}</p>
    } else if (conversationId !== undefined && answer !== undefined) {
      const [messages, templates, at, people, canned] = await Promise.all([loadMessages(c, conversationId), loadTemplates(c), now(), loadPeople(), loadCanned(c, conversationId)])
      const assignment = (
        <div id="status" hx-get={`/console/fragments/status/${conversationId}`} hx-trigger={`sse:c-${conversationId}`} hx-swap="innerHTML">
          <Assignment texts={texts} conversation={answer.body} {...people} />
        </div>
      )
      const work = <WorkPanel texts={texts} conversation={answer.body} {...people} me={c.get("principal").agentId} canned={canned} />
      main = <Thread texts={texts} language={language} timeZone={timeZone} conversation={answer.body} messages={messages}
        defangLinks={settings.linkProtection.mode === "neutralize"} templates={templates} now={at} status={assignment} work={work} />
      title = `${texts.conversationWith(answer.body.contact.name ?? texts.inbound)} · ${texts.appName}`
    }
    const list = <ConversationList texts={texts} language={language} timeZone={timeZone} view={view} views={options.views} items={items} current={conversationId} />
    const here = new URL(c.req.url).pathname + new URL(c.req.url).search
    return html(c, `<!doctype html>${<Shell language={language} texts={texts} principal={c.get("principal")} csrf={c.get("session").csrfToken} title={title} here={here} list={list}>{main as never}</Shell>}`, status as 200)
  }

  /** After an action: htmx gets the fragment for #reply-result; a plain form post goes back to the conversation. */
  const actionAnswer = (c: Context<ConsoleEnv>, id: string, outcome: { ok: true; text: string } | { ok: false; status: number; text: string }, reload = false) => {
    if (c.req.header("hx-request") !== "true") return c.redirect(`/console/c/${id}`, 303)
    // Closing or reopening changes which actions the page offers: htmx loads the page again.
    if (reload) c.header("hx-refresh", "true")
    const status = outcome.ok ? 200 : ([400, 404, 409, 413, 422, 429].includes(outcome.status) ? outcome.status : 422) as 400 | 404 | 409 | 413 | 422 | 429
    return html(c, outcome.ok ? `${<p class="notice">{outcome.text}</p>}` : `${<p class="alert" role="alert">{outcome.text}</p>}`, status)
  }

  /** A body over a console limit: for htmx the agent's language where the answer goes, else the JSON error. */
  const tooLarge = (c: Context<ConsoleEnv>, text: string, message: string) =>
    c.req.header("hx-request") === "true" ? html(c, `${<p class="alert" role="alert">{text}</p>}`, 413) : jsonError(c, 413, "payload_too_large", message)

  const form = async (c: Context<ConsoleEnv>) => (await c.req.parseBody()) as Record<string, string | File>
  const formLimit = bodyLimit({
    maxSize: CONSOLE_FORM_LIMIT,
    onError: (c) => tooLarge(c, textsFor(c.get("language")).formTooLarge, `A console form is limited to ${CONSOLE_FORM_LIMIT / 1024} KiB: a reply is at most 4,096 characters; send files through POST /api/v1/media.`)
  })

  return new Hono<ConsoleEnv>()
    .route("/assets", consoleAssets())
    .route("/", loginRoutes(runtime, oidcFlow(config, cookieIsSecure), trustCheck(config.trustedProxies)))
    .get("/language", function chooseLanguage(c) {
      const to = c.req.query("to") === "en" ? "en" : "nl"
      setCookie(c, LANGUAGE_COOKIE, to, { sameSite: "Lax", path: "/", secure: cookieIsSecure(c), maxAge: 365 * 24 * 3600 })
      const back = c.req.query("back") ?? "/console"
      return c.redirect(/^\/console(\/|\?|$)/.test(back) && !back.startsWith("//") ? back : "/console", 303)
    })
    .use("*", requireSession(runtime))
    .get("/", function consoleHome(c) {
      return page(c)
    })
    .get("/c/:id", function consoleConversation(c) {
      return page(c, c.req.param("id"))
    })
    .get("/events", consoleEvents(runtime, lifecycle))
    .get("/fragments/list", async function listFragment(c) {
      const language = c.get("language")
      const view = viewOf(c)
      const [items, settings] = await Promise.all([loadList(c, view), settingsNow()])
      return html(c, `${<ListItems texts={textsFor(language)} language={language} timeZone={settings.officeHours.timezone} view={view} views={options.views} items={items} current={c.req.query("current")} />}`)
    })
    .get("/fragments/messages/:id", async function messagesFragment(c) {
      const language = c.get("language")
      const [messages, settings] = await Promise.all([loadMessages(c, c.req.param("id")), settingsNow()])
      return html(c, `${<MessageItems texts={textsFor(language)} language={language} timeZone={settings.officeHours.timezone} messages={messages} defangLinks={settings.linkProtection.mode === "neutralize"} />}`)
    })
    .route("/admin", adminRoutes({ runtime, callApi, shellPage }))
    .get("/fragments/status/:id", async function statusFragment(c) {
      const texts = textsFor(c.get("language"))
      const [answer, people] = await Promise.all([callApi<Conversation>(c, c.get("session"), `/conversations/${c.req.param("id")}`), loadPeople()])
      if (answer.status !== 200) return html(c, `${<p class="alert">{errorMessage(answer, textsFor(c.get("language")))}</p>}`, 404)
      return html(c, `${<Assignment texts={texts} conversation={answer.body} {...people} />}`)
    })
    .post("/c/:id/assign", formLimit, async function assign(c) {
      const id = c.req.param("id")
      const body = await form(c)
      const change: Record<string, string | null> = {}
      if (typeof body.team === "string") change.team = body.team === "" ? null : body.team
      if (typeof body.assignee === "string") change.assignee = body.assignee === "" ? null : body.assignee
      const answer = await callApi(c, c.get("session"), `/conversations/${id}/assign`, { method: "POST", body: change })
      return actionAnswer(c, id, answer.status === 200 ? { ok: true, text: textsFor(c.get("language")).done } : { ok: false, status: answer.status, text: errorMessage(answer, textsFor(c.get("language"))) })
    })
    .post("/c/:id/close", formLimit, async function close(c) {
      const id = c.req.param("id")
      const answer = await callApi(c, c.get("session"), `/conversations/${id}/close`, { method: "POST", body: {} })
      return actionAnswer(c, id, answer.status === 200 ? { ok: true, text: textsFor(c.get("language")).done } : { ok: false, status: answer.status, text: errorMessage(answer, textsFor(c.get("language"))) }, answer.status === 200)
    })
    .post("/c/:id/reopen", formLimit, async function reopen(c) {
      const id = c.req.param("id")
      const answer = await callApi(c, c.get("session"), `/conversations/${id}/reopen`, { method: "POST", body: {} })
      return actionAnswer(c, id, answer.status === 200 ? { ok: true, text: textsFor(c.get("language")).done } : { ok: false, status: answer.status, text: errorMessage(answer, textsFor(c.get("language"))) }, answer.status === 200)
    })
    .post("/c/:id/note", formLimit, async function note(c) {
      const texts = textsFor(c.get("language"))
      const id = c.req.param("id")
      const text = (await form(c)).text
      if (typeof text !== "string" || text.trim().length === 0) return actionAnswer(c, id, { ok: false, status: 400, text: texts.noteEmpty })
      const answer = await callApi(c, c.get("session"), `/conversations/${id}/notes`, { method: "POST", body: { text } })
      return actionAnswer(c, id, answer.status === 201 ? { ok: true, text: texts.noteAdded } : { ok: false, status: answer.status, text: errorMessage(answer, textsFor(c.get("language"))) })
    })
    .post(
      "/c/:id/attachment",
      bodyLimit({ maxSize: CONSOLE_ATTACHMENT_LIMIT, onError: (c) => tooLarge(c, textsFor(c.get("language")).attachmentTooLarge, "Channels take files up to 100 MiB (WhatsApp documents; photos up to 5 MiB).") }),
      async function sendAttachment(c) {
        const texts = textsFor(c.get("language"))
        const id = c.req.param("id")
        const body = await form(c)
        const file = body.file
        if (!(file instanceof File) || file.size === 0) return actionAnswer(c, id, { ok: false, status: 400, text: texts.attachmentMissing })
        const conversation = await callApi<Conversation>(c, c.get("session"), `/conversations/${id}`)
        if (conversation.status !== 200) return actionAnswer(c, id, { ok: false, status: conversation.status, text: errorMessage(conversation, textsFor(c.get("language"))) })
        const upload = new FormData()
        upload.set("file", file, file.name)
        upload.set("channel", conversation.body.channel)
        upload.set("channelAccountId", conversation.body.channelAccountId)
        const uploaded = await callApi<{ id: string; mimeType: string; filename: string }>(c, c.get("session"), "/media", { method: "POST", form: upload })
        if (uploaded.status !== 201) return actionAnswer(c, id, { ok: false, status: uploaded.status, text: errorMessage(uploaded, textsFor(c.get("language"))) })
        const mime = uploaded.body.mimeType
        const type = mime.startsWith("image/") ? "image" : mime.startsWith("audio/") ? "audio" : mime.startsWith("video/") ? "video" : "document"
        const caption = typeof body.caption === "string" && body.caption.trim() !== "" && type !== "audio" ? { caption: body.caption } : {}
        const media = { type, id: uploaded.body.id, ...caption, ...(type === "document" ? { filename: uploaded.body.filename } : {}) }
        const answer = await callApi(c, c.get("session"), `/conversations/${id}/messages`, { method: "POST", body: { media } })
        return actionAnswer(c, id, answer.status === 202 ? { ok: true, text: texts.sent } : { ok: false, status: answer.status, text: errorMessage(answer, textsFor(c.get("language"))) })
      }
    )
    .post("/c/:id/reply", formLimit, async function reply(c) {
      const texts = textsFor(c.get("language"))
      const id = c.req.param("id")
      const text = (await form(c)).text
      if (typeof text !== "string" || text.trim().length === 0) return actionAnswer(c, id, { ok: false, status: 400, text: texts.replyEmpty })
      const answer = await callApi(c, c.get("session"), `/conversations/${id}/messages`, { method: "POST", body: { text } })
      return actionAnswer(c, id, answer.status === 202 ? { ok: true, text: texts.sent } : { ok: false, status: answer.status, text: errorMessage(answer, textsFor(c.get("language"))) })
    })
    .post("/c/:id/template", formLimit, async function sendTemplate(c) {
      const texts = textsFor(c.get("language"))
      const id = c.req.param("id")
      const body = await form(c)
      const [name, language] = typeof body.template === "string" ? body.template.split("|") : []
      if (name === undefined || language === undefined) return actionAnswer(c, id, { ok: false, status: 400, text: `${texts.template}?` })
      // One field per place ({{1}}, {{2}}, …: parameter.1, parameter.2, …); the older one-per-line field still works.
      const fields: Array<string> = []
      for (let n = 1; typeof body[`parameter.${n}`] === "string"; n++) fields.push((body[`parameter.${n}`] as string).trim())
      const missing = fields.findIndex((p) => p.length === 0)
      if (missing >= 0) return actionAnswer(c, id, { ok: false, status: 400, text: texts.templateParameterMissing(missing + 1) })
      const parameters = fields.length > 0 ? fields
        : typeof body.parameters === "string" ? body.parameters.split(/\r?\n/).map((p) => p.trim()).filter((p) => p.length > 0) : []
      const template = { name, language, ...(parameters.length > 0 ? { components: [{ type: "body", parameters: parameters.map((text) => ({ type: "text", text })) }] } : {}) }
      const answer = await callApi(c, c.get("session"), `/conversations/${id}/messages`, { method: "POST", body: { template } })
      return actionAnswer(c, id, answer.status === 202 ? { ok: true, text: texts.sent } : { ok: false, status: answer.status, text: errorMessage(answer, textsFor(c.get("language"))) })
    })
}
