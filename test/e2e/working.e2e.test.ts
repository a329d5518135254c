/**
 * Working a conversation over real HTTP on loopback (SQLite, and PostgreSQL in the `postgres`
 * project), with msw standing in for the Graph API: assign, hand over to a vakteam, close,
 * reopen, notes (never sent), unread counts, the list's filters, access "team" for agents,
 * canned responses, the SSE events and the audit entries.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { auth, eventually } from "../support/gateway.ts"
import { startOutboundGateway } from "../support/outbound.ts"
import { allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

let ctx: Awaited<ReturnType<typeof startOutboundGateway>>
beforeAll(async () => {
  ctx = await startOutboundGateway()
})
afterAll(() => ctx.close())
afterEach(() => ctx.graph.assertValid())

const url = () => ctx.gw.url
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

async function call(method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...auth, ...options.headers }
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  if (body !== undefined) headers["content-type"] = "application/json"
  const res = await fetch(`${url()}/api/v1${path}`, { method, headers, body })
  const text = await res.text()
  return { status: res.status, text, json: text === "" ? undefined : JSON.parse(text) }
}

let counter = 0
/** A resident (with a name) writes now; answers the conversation once it lists. */
async function residentWrites(options: { name?: string; body?: string; waId?: string } = {}) {
  const waId = options.waId ?? `3166${String(process.pid % 1000).padStart(3, "0")}${String(++counter).padStart(4, "0")}`
  const message = fixtures.textMessage({ from: waId, body: options.body ?? "Hallo gemeente", timestamp: String(Math.floor(Date.now() / 1000)) })
  const res = await postWebhook(url(), fixtures.webhookBody({ contacts: [fixtures.contact({ waId, name: options.name ?? "Sanne de Vries" })], messages: [message] }))
  expect(res.status).toBe(200)
  const found = await eventually(async () => (await call("GET", `/conversations?status=all&q=${waId}`)).json.items as Array<any>, (items) => items.length === 1)
  return { waId, conversation: found[0], providerMessageId: message.id as string }
}

/** The events of one SSE stream, as they arrive. */
async function openEvents(token?: string) {
  const controller = new AbortController()
  const res = await fetch(`${url()}/api/v1/events`, { headers: token === undefined ? auth : bearer(token), signal: controller.signal })
  expect(res.status).toBe(200)
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  const events: Array<{ event: string; data: any }> = []
  let buffer = ""
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }))
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let end: number
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: ?(.*)$/m.exec(block)?.[1]
        const data = /^data: ?(.*)$/m.exec(block)?.[1]
        if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) })
      }
    }
  })()
  // The stream subscribes just after it answers: move a conversation everyone sees until its event comes through.
  const sentinel = await sentinelConversation()
  for (let attempt = 0; ; attempt++) {
    await call("POST", `/conversations/${sentinel}/${attempt % 2 === 0 ? "close" : "reopen"}`)
    const seen = await eventually(async () => events.some((e) => e.data.id === sentinel), (s) => s, 2_000).catch(() => false)
    if (seen) break
    if (attempt > 10) throw new Error("the event stream never delivered")
  }
  events.length = 0
  return { events, close: () => controller.abort() }
}

let sentinel: Promise<string> | undefined
/** A conversation without a team (every caller sees it), to know when a stream delivers. */
const sentinelConversation = () => (sentinel ??= residentWrites({ name: "Sentinel" }).then((r) => r.conversation.id as string))

async function team(name: string) {
  const res = await call("POST", "/teams", { body: { name: `${name}-${++counter}` } })
  expect(res.status).toBe(201)
  return res.json.id as string
}

async function agent(name: string, teams: Array<string>) {
  const res = await call("POST", "/agents", { body: { email: `${name}.${++counter}@gemeente.nl`, name, role: "agent", teams } })
  expect(res.status).toBe(201)
  const token = await call("POST", "/tokens", { body: { name: `${name}-token`, role: "agent", agentId: res.json.id } })
  expect(token.status).toBe(201)
  return { id: res.json.id as string, token: token.json.token as string }
}

describe("assign, hand over, close, reopen", () => {
  it("assigns a team and an agent through the actor: 200 Conversation, SSE conversation.assigned, one audit entry; the same again changes nothing", async () => {
    const afval = await team("afval")
    const piet = await agent("Piet", [afval])
    const { conversation } = await residentWrites()
    const stream = await openEvents()

    const assigned = await call("POST", `/conversations/${conversation.id}/assign`, { body: { team: afval, assignee: piet.id } })
    expect(assigned.status).toBe(200)
    expect(assigned.json).toMatchObject({ id: conversation.id, team: afval, assignee: piet.id })
    expect((await call("GET", `/conversations/${conversation.id}`)).json).toMatchObject({ team: afval, assignee: piet.id })
    await eventually(async () => stream.events.filter((e) => e.data.id === conversation.id).map((e) => e.event), (names) =>
      names.includes("conversation.assigned") && names.includes("conversation.updated"))
    expect(stream.events.find((e) => e.event === "conversation.assigned")!.data).toMatchObject({ id: conversation.id, team: afval, assignee: piet.id })

    const again = await call("POST", `/conversations/${conversation.id}/assign`, { body: { team: afval, assignee: piet.id } })
    expect(again.status).toBe(200)
    expect(again.json).toMatchObject({ team: afval, assignee: piet.id })
    const audit = await auditOf(`conversation:${conversation.id}`)
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({
      action: "conversation.assign", actor: { kind: "token", name: "LOKET_ADMIN_TOKEN" },
      before: { team: null, assignee: null }, after: { team: afval, assignee: piet.id }
    })
    // Only one assignment was published: the repeat changed nothing.
    await call("POST", `/conversations/${conversation.id}/close`)
    await eventually(async () => stream.events.filter((e) => e.data.id === conversation.id && e.data.status === "closed"), (e) => e.length > 0)
    expect(stream.events.filter((e) => e.event === "conversation.assigned" && e.data.id === conversation.id)).toHaveLength(1)
    stream.close()
  })

  it("a hand-over to another vakteam clears an assignee who is not in it; unassigning with null", async () => {
    const balie = await team("balie")
    const vergunningen = await team("vergunningen")
    const anna = await agent("Anna", [balie])
    const { conversation } = await residentWrites()
    expect((await call("POST", `/conversations/${conversation.id}/assign`, { body: { team: balie, assignee: anna.id } })).json).toMatchObject({ team: balie, assignee: anna.id })
    const handed = await call("POST", `/conversations/${conversation.id}/assign`, { body: { team: vergunningen } })
    expect(handed.status).toBe(200)
    expect(handed.json).toMatchObject({ team: vergunningen, assignee: null })
    const none = await call("POST", `/conversations/${conversation.id}/assign`, { body: { team: null } })
    expect(none.json).toMatchObject({ team: null, assignee: null })
    expect((await call("POST", `/conversations/${conversation.id}/assign`, { body: { assignee: anna.id } })).json).toMatchObject({ team: null, assignee: anna.id })
    expect((await call("POST", `/conversations/${conversation.id}/assign`, { body: { assignee: null } })).json).toMatchObject({ assignee: null })
  })

  it("refuses an unknown team, an unknown or deactivated agent, and an agent outside the team with 422 naming the field", async () => {
    const wonen = await team("wonen")
    const outsider = await agent("Kees", [])
    const gone = await agent("Gerda", [wonen])
    expect((await call("DELETE", `/agents/${gone.id}`)).status).toBe(200)
    const { conversation } = await residentWrites()
    const refused = async (body: unknown, path: string) => {
      const res = await call("POST", `/conversations/${conversation.id}/assign`, { body })
      expect(res.status).toBe(422)
      expect(res.json.error.details.map((d: any) => d.path)).toContain(path)
      return res.json.error
    }
    expect((await refused({ team: "tm_nope" }, "team")).code).toBe("invalid_assignment")
    expect((await refused({ assignee: "agt_nope" }, "assignee")).code).toBe("invalid_assignment")
    expect((await refused({ assignee: gone.id }, "assignee")).message).toContain("No active agent")
    expect((await refused({ team: wonen, assignee: outsider.id }, "assignee")).message).toContain("not a member")
    expect((await refused({}, "")).code).toBe("invalid_body")
    expect((await refused({ team: 42 }, "team")).code).toBe("invalid_body")
    expect((await call("POST", `/conversations/${conversation.id}/assign`, { raw: "{" })).status).toBe(400)
    expect((await call("GET", `/conversations/${conversation.id}`)).json).toMatchObject({ team: null, assignee: null })
    for (const path of ["assign", "close", "reopen", "notes"]) {
      const res = await call("POST", `/conversations/cnv_nope/${path}`, { body: path === "assign" ? { team: null } : { text: "x" } })
      expect(res.status).toBe(404)
      expect(res.json.error.code).toBe("conversation_not_found")
    }
  })

  it("closes and reopens (twice is 200, unchanged, audited once each); a resident writing to a closed conversation reopens it", async () => {
    const { waId, conversation } = await residentWrites()
    const closed = await call("POST", `/conversations/${conversation.id}/close`)
    expect(closed.status).toBe(200)
    expect(closed.json).toMatchObject({ status: "closed", unreadCount: 0 })
    expect((await call("POST", `/conversations/${conversation.id}/close`)).json.status).toBe("closed")
    expect((await call("GET", "/conversations?status=open&limit=200")).json.items.map((c: any) => c.id)).not.toContain(conversation.id)
    const reopened = await call("POST", `/conversations/${conversation.id}/reopen`)
    expect(reopened.json.status).toBe("open")
    expect((await call("POST", `/conversations/${conversation.id}/reopen`)).json.status).toBe("open")
    const actions = (await auditOf(`conversation:${conversation.id}`)).map((e: any) => e.action)
    expect(actions.sort()).toEqual(["conversation.close", "conversation.reopen"])

    await call("POST", `/conversations/${conversation.id}/close`)
    await residentWrites({ waId, body: "Ik heb nog een vraag" })
    const back = await eventually(async () => (await call("GET", `/conversations/${conversation.id}`)).json, (c) => c.status === "open")
    expect(back.unreadCount).toBe(1)
  })
})

describe("notes", () => {
  it("201 Message type note, direction internal, with its sender: never sent to the resident, SSE note.created, lastMessageAt unchanged", async () => {
    const { conversation } = await residentWrites()
    const stream = await openEvents()
    const sentBefore = ctx.graph.sent.length
    const res = await call("POST", `/conversations/${conversation.id}/notes`, { body: { text: "Melding doorgezet naar team afval, zie zaak 2026-123." } })
    expect(res.status).toBe(201)
    expect(res.json).toMatchObject({
      type: "note", direction: "internal", conversationId: conversation.id, text: "Melding doorgezet naar team afval, zie zaak 2026-123.",
      providerMessageId: null, sender: { kind: "token", name: "LOKET_ADMIN_TOKEN" }, author: "LOKET_ADMIN_TOKEN"
    })
    const note = res.json
    await eventually(async () => stream.events.filter((e) => e.event === "note.created" && e.data.id === note.id), (e) => e.length === 1)
    expect(stream.events.filter((e) => e.event === "message.created" && e.data.id === note.id)).toHaveLength(0)
    expect((await allMessages(url(), conversation.id)).map((m) => m.id)).toContain(note.id)
    const after = (await call("GET", `/conversations/${conversation.id}`)).json
    expect(after.lastMessageAt).toBe(conversation.lastMessageAt)
    expect(after.unreadCount).toBe(0)
    // Nothing reached the Graph API, also after the outbox had its chance.
    await call("POST", `/conversations/${conversation.id}/messages`, { body: { text: "Een echt antwoord" } })
    await eventually(async () => ctx.graph.sent.length, (n) => n === sentBefore + 1)
    expect(ctx.graph.sent.map((s) => JSON.stringify(s.body))).not.toContainEqual(expect.stringContaining("zaak 2026-123"))
    const audit = (await auditOf(`conversation:${conversation.id}`)).find((e: any) => e.action === "conversation.note")
    expect(audit.after).toEqual({ messageId: note.id })
    expect(JSON.stringify(audit)).not.toContain("2026-123")
    stream.close()
  })

  it("refuses an empty note and one over 4,096 characters with 422 naming text; the same Idempotency-Key answers the same note", async () => {
    const { conversation } = await residentWrites()
    for (const body of [{ text: "" }, { text: "   " }, { text: "x".repeat(4097) }, {}]) {
      const res = await call("POST", `/conversations/${conversation.id}/notes`, { body })
      expect(res.status).toBe(422)
      expect(res.json.error.details[0].path).toBe("text")
    }
    expect((await call("POST", `/conversations/${conversation.id}/notes`, { body: { text: "x".repeat(4096) } })).status).toBe(201)
    const headers = { "idempotency-key": "note-1" }
    const a = await call("POST", `/conversations/${conversation.id}/notes`, { body: { text: "Eén keer" }, headers })
    const b = await call("POST", `/conversations/${conversation.id}/notes`, { body: { text: "Eén keer" }, headers })
    expect(b.json.id).toBe(a.json.id)
    expect((await allMessages(url(), conversation.id)).filter((m) => m.text === "Eén keer")).toHaveLength(1)
  })
})

describe("unread counts and an agent's reply", () => {
  it("counts the resident's messages until an agent acts; an agent's reply takes an unassigned conversation", async () => {
    const jan = await agent("Jan", [])
    const { waId, conversation } = await residentWrites()
    await residentWrites({ waId, body: "Nog iets" })
    await eventually(async () => (await call("GET", `/conversations/${conversation.id}`)).json.unreadCount, (n) => n === 2)
    const reply = await call("POST", `/conversations/${conversation.id}/messages`, { body: { text: "We kijken ernaar" }, headers: bearer(jan.token) })
    expect(reply.status).toBe(202)
    expect(reply.json.sender).toEqual({ kind: "agent", id: jan.id, name: "Jan" })
    const after = (await call("GET", `/conversations/${conversation.id}`)).json
    expect(after).toMatchObject({ unreadCount: 0, assignee: jan.id })
    const inbound = (await allMessages(url(), conversation.id)).find((m) => m.direction === "inbound")
    expect(inbound.sender).toMatchObject({ kind: "resident", id: conversation.contact.id, name: "Sanne de Vries" })
  })
})

describe("the list's filters", () => {
  it("filters by team, assignee (me, an id, none), status, channel and text over the contact and the messages", async () => {
    const milieu = await team("milieu")
    const lotte = await agent("Lotte", [milieu])
    const a = await residentWrites({ name: "Fatima Bakker", body: "Mijn container is niet geleegd" })
    const b = await residentWrites({ name: "Henk Jansen", body: "Vraag over parkeervergunning" })
    const c = await residentWrites({ name: "Ans 100%_zeker", body: "Hallo" })
    await call("POST", `/conversations/${a.conversation.id}/assign`, { body: { team: milieu, assignee: lotte.id } })
    await call("POST", `/conversations/${b.conversation.id}/assign`, { body: { team: milieu } })
    const ids = async (query: string, headers?: Record<string, string>) => {
      const res = await call("GET", `/conversations?limit=200&${query.includes("status=") ? query : `status=all&${query}`}`, headers === undefined ? {} : { headers })
      expect(res.status).toBe(200)
      return (res.json.items as Array<any>).map((x) => x.id)
    }
    const mine = [a, b, c].map((x) => x.conversation.id)
    expect((await ids(`team=${milieu}`)).sort()).toEqual([a.conversation.id, b.conversation.id].sort())
    expect(await ids(`assignee=${lotte.id}`)).toEqual([a.conversation.id])
    expect(await ids("assignee=me", bearer(lotte.token))).toEqual([a.conversation.id])
    expect((await ids(`team=${milieu}&assignee=none`))).toEqual([b.conversation.id])
    expect((await ids("team=none")).filter((id) => mine.includes(id))).toEqual([c.conversation.id])
    expect(await ids("q=CONTAINER")).toEqual([a.conversation.id])
    expect(await ids("q=henk")).toEqual([b.conversation.id])
    expect(await ids(`q=${b.waId.slice(-6)}`)).toEqual([b.conversation.id])
    expect(await ids(`q=${encodeURIComponent("100%_")}`)).toEqual([c.conversation.id])
    expect(await ids("q=geleegd&channel=whatsapp&status=open")).toEqual([a.conversation.id])
    expect(await ids("q=geleegd&status=closed")).toEqual([])
    expect(await ids("q=ge")).toEqual(expect.arrayContaining([a.conversation.id])) // two characters: no index, the same answer
    // The search follows the contact: a new profile name is found at once.
    await residentWrites({ waId: b.waId, name: "Henk de Boer", body: "Nog een vraag" })
    expect(await eventually(() => ids("q=de%20boer"), (found) => found.length === 1)).toEqual([b.conversation.id])
    const me = await call("GET", "/conversations?assignee=me")
    expect(me.status).toBe(400)
    expect(me.json.error.details[0].path).toBe("assignee")
    expect((await call("GET", `/conversations?q=${"x".repeat(201)}`)).status).toBe(400)
    // Keyset pagination keeps working with a filter.
    const first = await call("GET", `/conversations?status=all&team=${milieu}&limit=1`)
    const second = await call("GET", `/conversations?status=all&team=${milieu}&limit=1&cursor=${first.json.nextCursor}`)
    expect([first.json.items[0].id, second.json.items[0].id].sort()).toEqual([a.conversation.id, b.conversation.id].sort())
    expect(second.json.nextCursor).toBeNull()
  })
})

describe('access "team"', () => {
  it("an agent sees the conversations without a team, of its teams and its own; others are 404 everywhere, also on its event stream", async () => {
    const burgerzaken = await team("burgerzaken")
    const belastingen = await team("belastingen")
    const eva = await agent("Eva", [burgerzaken])
    const mine = await residentWrites()
    const theirs = await residentWrites()
    const open = await residentWrites()
    await call("POST", `/conversations/${mine.conversation.id}/assign`, { body: { team: burgerzaken } })
    await call("POST", `/conversations/${theirs.conversation.id}/assign`, { body: { team: belastingen } })
    const tokenOnly = await call("POST", "/tokens", { body: { name: "wallboard", role: "agent" } })
    expect((await call("PATCH", "/settings", { body: { access: "team" }, headers: { "content-type": "application/merge-patch+json" } })).status).toBe(200)
    try {
      const seen = async (token: string) => ((await call("GET", "/conversations?status=all&limit=200", { headers: bearer(token) })).json.items as Array<any>).map((c) => c.id)
      const evaSees = await seen(eva.token)
      expect(evaSees).toContain(mine.conversation.id)
      expect(evaSees).toContain(open.conversation.id)
      expect(evaSees).not.toContain(theirs.conversation.id)
      const wallboard = await seen(tokenOnly.json.token)
      expect(wallboard).toContain(open.conversation.id)
      expect(wallboard).not.toContain(mine.conversation.id)
      expect(await seen(ADMIN())).toContain(theirs.conversation.id)

      const hidden = theirs.conversation.id
      for (const [method, path, body] of [
        ["GET", `/conversations/${hidden}`, undefined], ["GET", `/conversations/${hidden}/messages`, undefined],
        ["POST", `/conversations/${hidden}/messages`, { text: "Hoi" }], ["POST", `/conversations/${hidden}/notes`, { text: "Hoi" }],
        ["POST", `/conversations/${hidden}/assign`, { team: burgerzaken }], ["POST", `/conversations/${hidden}/close`, undefined],
        ["GET", `/canned-responses?conversationId=${hidden}`, undefined]
      ] as const) {
        const res = await call(method, path, { body, headers: bearer(eva.token) })
        expect(res.status, `${method} ${path}`).toBe(404)
        expect(res.json.error.code).toBe("conversation_not_found")
      }
      expect((await call("GET", `/conversations/${mine.conversation.id}`, { headers: bearer(eva.token) })).status).toBe(200)

      const evaStream = await openEvents(eva.token)
      const adminStream = await openEvents()
      await call("POST", `/conversations/${theirs.conversation.id}/notes`, { body: { text: "Alleen voor belastingen" } })
      const visible = await call("POST", `/conversations/${mine.conversation.id}/notes`, { body: { text: "Voor burgerzaken" } })
      await eventually(async () => evaStream.events.filter((e) => e.event === "note.created" && e.data.id === visible.json.id), (e) => e.length === 1)
      await eventually(async () => adminStream.events.filter((e) => e.event === "note.created"), (e) => e.length === 2)
      expect(evaStream.events.filter((e) => e.event === "note.created").map((e) => e.data.conversationId)).toEqual([mine.conversation.id])
      // Handed over to a team of hers: from then on she sees it.
      await call("POST", `/conversations/${theirs.conversation.id}/assign`, { body: { team: burgerzaken } })
      await eventually(async () => evaStream.events.filter((e) => e.event === "conversation.assigned" && e.data.id === theirs.conversation.id), (e) => e.length === 1)
      expect((await call("GET", `/conversations/${theirs.conversation.id}`, { headers: bearer(eva.token) })).status).toBe(200)
      evaStream.close()
      adminStream.close()
    } finally {
      await call("PATCH", "/settings", { body: { access: "all" }, headers: { "content-type": "application/merge-patch+json" } })
    }
  })
})

const auditOf = async (target: string): Promise<Array<any>> => (await call("GET", `/audit?limit=100&target=${encodeURIComponent(target)}`)).json.items

const ADMIN = () => auth.authorization.replace(/^Bearer /, "")

describe("canned responses", () => {
  it("an admin creates, changes and deletes them (audited); agents read them, rendered with the resident's name; 403, 409 and 422 for the rest", async () => {
    const kim = await agent("Kim", [])
    const created = await call("POST", "/canned-responses", { body: { shortcut: "/Afval", title: "Afvalkalender", text: "Beste {{name}}, de kalender staat op onze site.", language: "nl" } })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({ shortcut: "/afval", title: "Afvalkalender", language: "nl" })
    const id = created.json.id
    const en = await call("POST", "/canned-responses", { body: { shortcut: "bin", title: "Bin", text: "Dear {{ name }}, see our site.", language: "en" } })
    expect(en.json.shortcut).toBe("/bin")

    expect((await call("POST", "/canned-responses", { body: { shortcut: "/afval", title: "Dubbel", text: "x", language: "nl" } })).status).toBe(409)
    const bad = await call("POST", "/canned-responses", { body: { shortcut: "/met spatie", title: "", text: "x".repeat(4097), language: "de" } })
    expect(bad.status).toBe(422)
    expect(bad.json.error.details.map((d: any) => d.path).sort()).toEqual(["language", "shortcut", "text", "title"])
    expect((await call("POST", "/canned-responses", { body: { shortcut: "/x", title: "x", text: "x", language: "nl" }, headers: bearer(kim.token) })).status).toBe(403)
    expect((await call("PATCH", `/canned-responses/${id}`, { body: { title: "y" }, headers: bearer(kim.token) })).status).toBe(403)
    expect((await call("DELETE", `/canned-responses/${id}`, { headers: bearer(kim.token) })).status).toBe(403)

    const listed = await call("GET", "/canned-responses", { headers: bearer(kim.token) })
    expect(listed.status).toBe(200)
    expect(listed.json.items.map((i: any) => i.shortcut)).toEqual(expect.arrayContaining(["/afval", "/bin"]))
    const named = await residentWrites({ name: "Mohammed El Amrani" })
    const rendered = await call("GET", `/canned-responses?conversationId=${named.conversation.id}`, { headers: bearer(kim.token) })
    expect(rendered.json.items.find((i: any) => i.id === id).rendered).toBe("Beste Mohammed El Amrani, de kalender staat op onze site.")
    const nameless = await residentWrites({ name: "" })
    const neutral = (await call("GET", `/canned-responses?conversationId=${nameless.conversation.id}`)).json.items
    expect(neutral.find((i: any) => i.id === id).rendered).toBe("Beste inwoner, de kalender staat op onze site.")
    expect(neutral.find((i: any) => i.id === en.json.id).rendered).toBe("Dear resident, see our site.")
    expect((await call("GET", "/canned-responses?language=en")).json.items.every((i: any) => i.language === "en")).toBe(true)
    expect((await call("GET", "/canned-responses?conversationId=cnv_nope")).status).toBe(404)

    const changed = await call("PATCH", `/canned-responses/${id}`, { body: { text: "Hallo {{name}}!" } })
    expect(changed.json).toMatchObject({ id, shortcut: "/afval", text: "Hallo {{name}}!" })
    expect((await call("PATCH", `/canned-responses/${id}`, { body: { shortcut: "/bin" } })).status).toBe(409)
    expect((await call("PATCH", "/canned-responses/cr_nope", { body: { title: "x" } })).status).toBe(404)
    expect((await call("DELETE", `/canned-responses/${id}`)).status).toBe(204)
    expect((await call("DELETE", `/canned-responses/${id}`)).status).toBe(404)
    const actions = (await auditOf(`canned_response:${id}`)).map((e: any) => e.action)
    expect(actions.sort()).toEqual(["canned_response.create", "canned_response.delete", "canned_response.update"])
  })
})
