/**
 * Resident safety end to end (issue 12), on a gateway over real HTTP: detection flags on texts,
 * captions and reply titles; the once-per-conversation warning (also under concurrent messages);
 * masking for agents with the audited reveal; link protection (flag, neutralize, link.blocked on
 * the event stream); the outbound policy's warnings (audited) and blocking.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Audit } from "../../actors/audit/Audit.ts"
import { DEFAULT_PERSONAL_DATA_WARNING } from "../../actors/safety/ResidentSafety.ts"
import { auth, baseEnv, eventually, startGateway, type TestGateway, PLAYBOOK_OFF } from "../support/gateway.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

let gw: TestGateway
beforeAll(async () => {
  gw = await startGateway(baseEnv({ WHATSAPP_ACCESS_TOKEN: "safety-token", GRAPH_API_URL: "http://127.0.0.1:9/v23.0", ...PLAYBOOK_OFF }))
})
afterAll(async () => gw?.close())

let resident = 31_640_000_000
const nextResident = () => String(++resident)
const now = () => String(Math.floor(Date.now() / 1000))

async function patchSettings(patch: unknown) {
  const res = await fetch(`${gw.url}/api/v1/settings`, { method: "PATCH", headers: { ...auth, "content-type": "application/merge-patch+json" }, body: JSON.stringify(patch) })
  expect(res.status, await res.clone().text()).toBe(200)
}

/** The resident's conversation once `count` messages are in it. */
async function conversationOf(waId: string, count = 1) {
  const conversation = await eventually(async () => (await allConversations(gw.url)).find((c) => c.contact.handle === waId), (c) => c !== undefined, 15_000)
  const messages = await eventually(() => allMessages(gw.url, conversation.id), (ms) => ms.length >= count, 15_000)
  return { conversation, messages }
}

const send = (conversationId: string, body: unknown) => fetch(`${gw.url}/api/v1/conversations/${conversationId}/messages`, {
  method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body)
})

describe("personal data in residents' messages", () => {
  beforeAll(() => patchSettings({ personalData: { detect: true, warnResident: true, maskForAgents: false }, linkProtection: { mode: "flag" } }))

  it("flags texts, captions and reply titles with the contract's flags; numbers that fail their check are not flagged", async () => {
    const waId = nextResident()
    const t = { from: waId, timestamp: now() }
    await postWebhook(gw.url, fixtures.webhookBody({
      contacts: [fixtures.contact({ waId })],
      messages: [
        fixtures.textMessage({ ...t, body: "Mijn BSN is 100752305 en mijn IBAN NL69 INGB 1123 4579 19" }),
        fixtures.imageMessage({ ...t, caption: "bel me op 06-87654321, geboren op 3 maart 1985" }),
        fixtures.buttonReplyMessage({ ...t, replyId: "b1", title: "mail a.b@example-mail.nl" }),
        fixtures.textMessage({ ...t, body: "zaaknummer 100768143, factuur € 1.250,00 om 10.30 uur" }),
        fixtures.flowReplyMessage({ ...t, responseJson: JSON.stringify({ bsn: "100752305", straat: "Spui 70" }) })
      ]
    }))
    const { messages } = await conversationOf(waId, 6)
    const inbound = messages.filter((m) => m.direction === "inbound")
    expect(inbound.map((m) => m.flags)).toEqual([["pii:bsn", "pii:iban"], ["pii:phone", "pii:birthdate"], ["pii:email"], [], ["pii:bsn"]])
    // Not masked by default: agents read the text, textSafe is the same.
    expect(inbound[0].text).toBe("Mijn BSN is 100752305 en mijn IBAN NL69 INGB 1123 4579 19")
    expect(inbound[0].textSafe).toBe(inbound[0].text)
    expect(inbound[0].masked).toBe(false)
  })

  it("warns the resident once per conversation, in plain Dutch, from Loket, without extending the window", async () => {
    const waId = nextResident()
    const sentAt = Number(now()) - 60
    await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: [fixtures.textMessage({ from: waId, timestamp: sentAt, body: "Goedemorgen, een vraag over de container" })] }))
    await conversationOf(waId, 1)
    await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: [fixtures.textMessage({ from: waId, timestamp: sentAt, body: "Mijn BSN is 100752305" })] }))
    await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: [fixtures.textMessage({ from: waId, timestamp: sentAt, body: "en IBAN NL69INGB1123457919" })] }))
    const { conversation, messages } = await conversationOf(waId, 4)
    const warnings = messages.filter((m) => m.direction === "outbound")
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ type: "text", author: "loket", flags: ["auto", "warning:personal-data"], text: DEFAULT_PERSONAL_DATA_WARNING.nl })
    expect(warnings[0].text).toMatch(/BSN/)
    expect(warnings[0].text).toMatch(/DigiD/)
    // Written with the first message with personal data (its time is Loket's; the residents' are Meta's).
    expect(messages.filter((m) => m.direction === "inbound")).toHaveLength(3)
    expect(Date.parse(warnings[0].createdAt)).toBeGreaterThanOrEqual(sentAt * 1000)
    expect(conversation.windowExpiresAt).toBe(new Date((sentAt + 24 * 3600) * 1000).toISOString())
    const after = await (await fetch(`${gw.url}/api/v1/conversations/${conversation.id}`, { headers: auth })).json()
    expect(after.windowExpiresAt).toBe(new Date((sentAt + 24 * 3600) * 1000).toISOString())
  })

  it("warns exactly once when many messages with personal data arrive at the same moment", async () => {
    const waId = nextResident()
    const t = now()
    const bodies = Array.from({ length: 24 }, (_, i) =>
      fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: [fixtures.textMessage({ from: waId, timestamp: t, body: `bsn 100752305 (${i})` })] }))
    const batch = fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: Array.from({ length: 6 }, (_, i) => fixtures.textMessage({ from: waId, timestamp: t, body: `tel 06-8765432${i}` })) })
    const answers = await Promise.all([...bodies, batch].map((b) => postWebhook(gw.url, b)))
    expect(answers.every((a) => a.status === 200)).toBe(true)
    const { messages } = await conversationOf(waId, 31)
    expect(messages.filter((m) => m.direction === "inbound")).toHaveLength(30)
    expect(messages.filter((m) => m.flags.includes("auto"))).toHaveLength(1)
  })

  it("sends no warning without personal data, or when warnResident is off; detects nothing when detect is off", async () => {
    const quiet = nextResident()
    await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: quiet })], messages: [fixtures.textMessage({ from: quiet, timestamp: now(), body: "Wanneer wordt het grofvuil opgehaald?" })] }))
    expect((await conversationOf(quiet)).messages.map((m) => m.direction)).toEqual(["inbound"])

    await patchSettings({ personalData: { warnResident: false } })
    const flaggedOnly = nextResident()
    await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: flaggedOnly })], messages: [fixtures.textMessage({ from: flaggedOnly, timestamp: now(), body: "bsn 100752305" })] }))
    const second = await conversationOf(flaggedOnly)
    expect(second.messages.map((m) => [m.direction, m.flags])).toEqual([["inbound", ["pii:bsn"]]])

    await patchSettings({ personalData: { detect: false, warnResident: true } })
    const off = nextResident()
    await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId: off })], messages: [fixtures.textMessage({ from: off, timestamp: now(), body: "bsn 100752305" })] }))
    expect((await conversationOf(off)).messages.map((m) => [m.direction, m.flags])).toEqual([["inbound", []]])
    await patchSettings({ personalData: { detect: true } })
  })

  it("masks personal data for agents when maskForAgents is on, and reveals it on request, audited", async () => {
    await patchSettings({ personalData: { maskForAgents: true, warnResident: false } })
    const waId = nextResident()
    await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: [
      fixtures.textMessage({ from: waId, timestamp: now(), body: "IBAN NL69 INGB 1123 4579 19, bsn 100752305" }),
      fixtures.listReplyMessage({ from: waId, timestamp: now(), replyId: "r1", title: "bsn 100752305" }),
      fixtures.flowReplyMessage({ from: waId, timestamp: now(), responseJson: JSON.stringify({ bsn: "100752305" }) })
    ] }))
    const { conversation, messages } = await conversationOf(waId, 3)
    expect(messages[0]).toMatchObject({ text: "IBAN NL** **** **** **** 19, bsn *******05", textSafe: "IBAN NL** **** **** **** 19, bsn *******05", masked: true })
    expect(messages[1].reply).toEqual({ id: "r1", title: "bsn *******05" })
    expect(messages[2].flow.responseJson).toBe('{"bsn":"*******05"}')
    expect(messages[2].masked).toBe(true)
    expect(JSON.stringify(messages)).not.toContain("100752305")

    const reveal = await fetch(`${gw.url}/api/v1/conversations/${conversation.id}/messages/${messages[0].id}/reveal`, {
      method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ reason: "terugbetaling" })
    })
    expect(reveal.status).toBe(200)
    const revealed = await reveal.json()
    expect(revealed).toMatchObject({ messageId: messages[0].id, text: "IBAN NL69 INGB 1123 4579 19, bsn 100752305" })
    const audit = await gw.runtime.runPromise(Audit.use((a) => a.list({ limit: 10, target: `message:${messages[0].id}` })))
    expect(audit.items).toHaveLength(1)
    expect(audit.items[0]).toMatchObject({ id: revealed.auditId, action: "message.reveal", actor: { kind: "token" }, after: { conversationId: conversation.id, reason: "terugbetaling", kinds: ["iban", "bsn"] } })
    expect(JSON.stringify(audit.items[0])).not.toContain("100752305")

    const missing = await fetch(`${gw.url}/api/v1/conversations/${conversation.id}/messages/msg_nope/reveal`, { method: "POST", headers: auth })
    expect(missing.status).toBe(404)
    const bad = await fetch(`${gw.url}/api/v1/conversations/${conversation.id}/messages/${messages[0].id}/reveal`, { method: "POST", headers: auth, body: JSON.stringify({ reason: "x".repeat(501) }) })
    expect(bad.status).toBe(422)
    expect((await bad.json()).error.details[0].path).toBe("reason")
    await patchSettings({ personalData: { maskForAgents: false, warnResident: true } })
  })
})

describe("links in residents' messages", () => {
  it("flags and defangs links, and raises link.blocked on the event stream for a blocked one", async () => {
    await patchSettings({ personalData: { warnResident: false }, linkProtection: { mode: "neutralize", allowDomains: ["denhaag.nl"], blockDomains: ["phish-pay.com", "203.0.113.7"] } })
    const controller = new AbortController()
    const stream = await fetch(`${gw.url}/api/v1/events`, { headers: auth, signal: controller.signal })
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader()
    const waId = nextResident()
    await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: [
      fixtures.textMessage({ from: waId, timestamp: now(), body: "Is https://denhaag.nl.evil.example/betaal van jullie? Op denhaag.nl/afval staat niets" }),
      fixtures.videoMessage({ from: waId, timestamp: now(), caption: "zie nu.nl en http://203.0.113.7/x" }),
      fixtures.textMessage({ from: waId, timestamp: now(), body: "om 10.30 uur, art. 3.2, € 1.250,00" })
    ] }))
    let text = ""
    const deadline = Date.now() + 15_000
    while (!text.includes("event: link.blocked") && Date.now() < deadline) text += (await reader.read()).value ?? ""
    while ((text.match(/event: link\.blocked/g) ?? []).length < 2 && Date.now() < deadline) text += (await reader.read()).value ?? ""
    controller.abort()
    const alerts = text.split("\n\n").filter((b) => b.includes("event: link.blocked")).map((b) => JSON.parse(b.split("\n").find((l) => l.startsWith("data:"))!.slice(5)))
    expect(alerts.map((a) => a.links)).toEqual([[{ host: "denhaag[.]nl[.]evil[.]example", reason: "allowed-name-inside" }], [{ host: "203[.]0[.]113[.]7", reason: "block-list" }]])

    const { messages } = await conversationOf(waId, 3)
    expect(messages.map((m) => m.flags)).toEqual([["link:allowed", "link:blocked"], ["link:unknown", "link:blocked"], []])
    expect(messages[0].textSafe).toBe("Is hxxps://denhaag[.]nl[.]evil[.]example/betaal van jullie? Op denhaag.nl/afval staat niets")
    expect(messages[1].textSafe).toBe("zie nu[.]nl en hxxp://203[.]0[.]113[.]7/x")
    expect(messages[2].textSafe).toBe(messages[2].text)
    // The text itself is as sent (not masked: links are not personal data).
    expect(messages[0].text).toBe("Is https://denhaag.nl.evil.example/betaal van jullie? Op denhaag.nl/afval staat niets")
    await patchSettings({ linkProtection: { mode: "flag" }, personalData: { warnResident: true } })
  })
})

describe("agents' replies against the outbound policy", () => {
  it("answers 202 with warnings and audits them; blocks only when the settings say so", async () => {
    const waId = nextResident()
    await postWebhook(gw.url, fixtures.webhookBody({ contacts: [fixtures.contact({ waId })], messages: [fixtures.textMessage({ from: waId, timestamp: now(), body: "Hallo" })] }))
    const { conversation } = await conversationOf(waId)
    const clean = await send(conversation.id, { text: "Uw container wordt morgen geleegd." })
    expect(clean.status).toBe(202)
    expect((await clean.json()).warnings).toEqual([])

    const hit = await send(conversation.id, { text: "Probeer ook eens ons online casino!" })
    expect(hit.status).toBe(202)
    const answer = await hit.json()
    expect(answer.status).toBe("queued")
    expect(answer.warnings).toEqual([{ code: "outbound_policy", category: "gambling", term: "online casino", path: "text", message: expect.stringMatching(/gambling/) }])
    const audit = await gw.runtime.runPromise(Audit.use((a) => a.list({ limit: 10, target: `message:${answer.id}` })))
    expect(audit.items.map((e) => [e.action, e.after])).toEqual([["message.policy_warning", { conversationId: conversation.id, warnings: [{ category: "gambling", term: "online casino" }] }]])

    await patchSettings({ outboundPolicy: { mode: "block", extraTerms: { political: ["stem lijst 7"] } } })
    const blocked = await send(conversation.id, { interactive: { type: "button", body: "Stem lijst 7 op woensdag!", buttons: [{ id: "a", title: "Ja" }] } })
    expect(blocked.status).toBe(422)
    const error = (await blocked.json()).error
    expect(error.code).toBe("outbound_policy")
    expect(error.details).toEqual([{ path: "interactive.body", message: 'political: "stem lijst 7"' }])
    const messages = await allMessages(gw.url, conversation.id)
    expect(messages.filter((m) => m.direction === "outbound")).toHaveLength(2)
    await patchSettings({ outboundPolicy: { mode: "warn", extraTerms: {} } })
  })
})

