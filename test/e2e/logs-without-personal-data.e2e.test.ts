/**
 * No log line, at any level, holds a resident's message text, phone number, name or the personal
 * data detected in a message. The gateway runs as a child process at LOKET_LOG_LEVEL=debug; every
 * message builder of the WhatsApp fixtures (adapters/whatsapp-cloud/fixtures*.ts) is sent with
 * personal data in it, plus statuses (delivered and failed), template updates, redeliveries,
 * malformed and unsigned bodies, agent replies carrying personal data and a send Meta refuses;
 * then the whole of its stdout and stderr is searched for every value in clear.
 */
import { afterAll, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, APP_SECRET, type ChildGateway, eventually, freePort, startChildGateway, tempDir } from "../support/gateway.ts"
import { type GraphStandIn, startGraphStandIn } from "../support/graph-stand-in.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"
import { writeFileSync } from "node:fs"
import { join } from "node:path"

const children: Array<ChildGateway> = []
const closers: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) await child.kill()
  for (const close of closers) await close()
})

/** Every value that must never appear in a log line. */
const SECRETS = {
  residents: ["31655501001", "31655501002", "31655501003", "31655501004", "31655501005", "31655501006"],
  names: ["Priscilla Oosterbroek", "Harmen Wijnbergen", "Yasmina Bouzambou"],
  texts: [
    "Mijn BSN is 100752305 en mijn IBAN NL69INGB1123457919, graag terugstorten",
    "Bel me op 06-87654321 of mail priscilla.oosterbroek@example-mail.nl",
    "Ik ben geboren op 14 januari 1961, paspoortnummer NW1234K57",
    "Creditcard 4111 1111 1111 1111 is geblokkeerd bij de balie",
    "Kijk op https://denhaag.nl.evil.example/betaal-uw-boete"
  ],
  detected: ["100752305", "NL69INGB1123457919", "06-87654321", "0687654321", "31687654321", "priscilla.oosterbroek@example-mail.nl", "14 januari 1961", "NW1234K57", "4111 1111 1111 1111", "4111111111111111", "denhaag.nl.evil.example"],
  other: [
    "Fotobijschrift met huisadres Wijnbergenlaan 77", "paspoort-scan-Oosterbroek.pdf", "Wijnbergenlaan 77, 2511 ZZ Den Haag",
    "Thuisadres Oosterbroek", "31699988877", "harmen@wijnbergen-mail.nl", "Antwoord van Yasmina", "knop-Bouzambou",
    "Rijweg 12 Bouzambou", "Bestelling voor Oosterbroek", "Uw BSN 100768143 hebben wij genoteerd, mevrouw Oosterbroek",
    "Nog een vraag over NL06RABO1246915838", "100768143", "NL06RABO1246915838"
  ]
}

describe("logs hold no personal data", () => {
  it("at debug level, over every fixture, nothing in clear in stdout or stderr", { timeout: 120_000 }, async () => {
    const port = await freePort()
    const gatewayUrl = `http://127.0.0.1:${port}`
    const webhook = { url: `${gatewayUrl}/webhooks/whatsapp`, appSecret: APP_SECRET }
    const standIn: GraphStandIn = await startGraphStandIn({ accessToken: "log-token", webhook })
    closers.push(() => standIn.close())
    // Every resident-safety feature on: detection, the warning, masking, neutralized links, a block list.
    const dir = tempDir()
    const config = join(dir, "settings.json")
    writeFileSync(config, JSON.stringify({
      personalData: { detect: true, warnResident: true, maskForAgents: true, extraPatterns: [{ name: "klantnummer", pattern: "DH-\\d{6}" }] },
      linkProtection: { mode: "neutralize", allowDomains: ["denhaag.nl"], blockDomains: ["evil.example"] },
      outboundPolicy: { mode: "warn", extraTerms: { gambling: ["loterij"] } }
    }))
    const gw = await startChildGateway({
      LOKET_CONFIG: config,
      DATABASE_URL: `file:${join(dir, "loket.db")}`, WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: "v",
      LOKET_ADMIN_TOKEN: ADMIN_TOKEN, WHATSAPP_ACCESS_TOKEN: "log-token", WHATSAPP_PHONE_NUMBER_ID: fixtures.DEFAULT_PHONE_NUMBER_ID,
      GRAPH_API_URL: standIn.url, LOKET_LOG_LEVEL: "debug", LOKET_SQLITE_SYNCHRONOUS: "NORMAL"
    }, "node", port)
    children.push(gw)

    const [r1, r2, r3, r4, r5, r6] = SECRETS.residents as [string, string, string, string, string, string]
    const now = String(Math.floor(Date.now() / 1000))
    const t = { timestamp: now }
    const contacts = [
      fixtures.contact({ waId: r1, name: SECRETS.names[0]! }), fixtures.contact({ waId: r2, name: SECRETS.names[1]! }),
      fixtures.contact({ waId: r3, name: SECRETS.names[2]! }), fixtures.contact({ waId: r4 }), fixtures.contact({ waId: r5 }),
      fixtures.contact({ waId: r6, userId: "NL.13491208655302741918" })
    ]
    const firstId = fixtures.wamid()
    const messages = [
      ...SECRETS.texts.map((body, i) => fixtures.textMessage({ ...t, from: SECRETS.residents[i % 3]!, body, ...(i === 0 ? { id: firstId } : {}) })),
      fixtures.imageMessage({ ...t, from: r1, caption: SECRETS.other[0]! }),
      fixtures.documentMessage({ ...t, from: r1, filename: SECRETS.other[1]!, caption: SECRETS.texts[0]! }),
      fixtures.videoMessage({ ...t, from: r2, caption: SECRETS.texts[1]! }),
      fixtures.audioMessage({ ...t, from: r2, voice: true }),
      fixtures.stickerMessage({ ...t, from: r2 }),
      fixtures.locationMessage({ ...t, from: r3, latitude: 52.07, longitude: 4.3, name: SECRETS.other[3]!, address: SECRETS.other[2]! }),
      fixtures.contactsMessage({ ...t, from: r3, cards: [{ name: SECRETS.names[1]!, phones: [`+${SECRETS.other[4]!}`], emails: [SECRETS.other[5]!] }] }),
      fixtures.buttonReplyMessage({ ...t, from: r4, replyId: SECRETS.other[7]!, title: SECRETS.other[6]! }),
      fixtures.listReplyMessage({ ...t, from: r4, replyId: "rij-1", title: "Mijn BSN is 100752305", description: SECRETS.other[8]! }),
      fixtures.flowReplyMessage({ ...t, from: r4, responseJson: JSON.stringify({ bsn: "100752305", naam: SECRETS.names[0] }) }),
      fixtures.quickReplyMessage({ ...t, from: r5, payload: "ja", text: SECRETS.texts[2]! }),
      fixtures.reactionMessage({ ...t, from: r5, messageId: firstId, emoji: "👍" }),
      fixtures.orderMessage({ ...t, from: r5, catalogId: "cat-1", items: [{ productRetailerId: "afvalpas", quantity: 1, itemPrice: 5 }], text: SECRETS.other[9]! }),
      fixtures.requestWelcomeMessage({ ...t, from: r6, userId: "NL.13491208655302741918" }),
      fixtures.unsupportedMessage({ ...t, from: r6 }),
      fixtures.systemMessage({ ...t, from: r6, body: `User ${SECRETS.names[2]} changed from ${r6} to 31699988877`, newWaId: "31699988877" })
    ]
    expect((await postWebhook(gatewayUrl, fixtures.webhookBody({ contacts, messages }))).status).toBe(200)
    // The same batch again (redelivery), statuses for unknown messages, a template update.
    expect((await postWebhook(gatewayUrl, fixtures.webhookBody({ contacts, messages }))).status).toBe(200)
    expect((await postWebhook(gatewayUrl, fixtures.webhookBody({
      statuses: [
        fixtures.statusUpdate({ id: fixtures.wamid(), status: "delivered", recipientId: r1 }),
        fixtures.statusUpdate({ id: fixtures.wamid(), status: "failed", recipientId: r2, errors: [fixtures.metaError(131026, "Message undeliverable", `Receiver ${r2} is incapable of receiving this message`)] })
      ]
    }))).status).toBe(200)
    expect((await postWebhook(gatewayUrl, { object: "whatsapp_business_account", entry: [{ id: fixtures.DEFAULT_WABA_ID, changes: [fixtures.templateStatusUpdate()] }] })).status).toBe(200)
    // Bodies Loket refuses: not JSON, an unsigned one, one with the wrong shape.
    expect((await postWebhook(gatewayUrl, `{"from":"${r1}","text":"${SECRETS.texts[0]}"`)).status).toBe(400)
    expect((await postWebhook(gatewayUrl, fixtures.webhookBody({ contacts, messages: messages.slice(0, 2) }), { signature: null })).status).toBe(401)
    expect((await postWebhook(gatewayUrl, { object: "whatsapp_business_account", entry: [{ id: "1", changes: [{ field: "messages", value: { messages: [{ from: r1, text: SECRETS.texts[1] }] } }] }] })).status).toBeLessThan(500)

    const conversations = await eventually(() => allConversations(gatewayUrl), (cs) => cs.length >= 6, 30_000)
    // Agents answer with personal data; one send Meta refuses for good, one it takes.
    const byResident = (waId: string) => conversations.find((c) => c.contact.handle === waId)!
    const send = (conversationId: string, text: string) => fetch(`${gatewayUrl}/api/v1/conversations/${conversationId}/messages`, {
      method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ text })
    })
    // Only the agent's reply takes the fault: a personal-data warning to r1 may still be on its way.
    const agentReplyToR1 = (body: Record<string, unknown>) => JSON.stringify(body).includes(SECRETS.other[10]!)
    standIn.script({ error: 131026, message: `Message undeliverable to ${r1}`, match: agentReplyToR1 })
    expect((await send(byResident(r1).id, SECRETS.other[10]!)).status).toBe(202)
    expect((await send(byResident(r2).id, SECRETS.other[11]!)).status).toBe(202)
    // A reply the outbound policy warns about (audited), and a reveal of a masked message (audited).
    expect((await send(byResident(r2).id, `${SECRETS.other[11]!} en doe mee met de loterij`)).status).toBe(202)
    const masked = (await allMessages(gatewayUrl, byResident(r1).id)).find((m: any) => m.masked === true)
    expect(masked).toBeDefined()
    const reveal = await fetch(`${gatewayUrl}/api/v1/conversations/${byResident(r1).id}/messages/${masked.id}/reveal`, {
      method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ reason: "controle" })
    })
    expect(reveal.status).toBe(200)
    // A reply that Loket refuses (too long), with personal data in it.
    expect((await send(byResident(r3).id, `${SECRETS.texts[0]} `.repeat(100))).status).toBe(422)
    await eventually(async () => (await allMessages(gatewayUrl, byResident(r2).id)).filter((m: any) => m.direction === "outbound" && m.status !== "queued"), (ms) => ms.length >= 3, 30_000)
    // The personal-data warnings went out through the Graph stand-in.
    expect(standIn.sent.some((s) => JSON.stringify(s.body).includes("DigiD"))).toBe(true)
    await eventually(async () => (await allMessages(gatewayUrl, byResident(r1).id)).filter((m: any) => m.direction === "outbound" && m.status === "failed"), (ms) => ms.length >= 1, 30_000)
    await standIn.webhooksSettled()

    const output = gw.output()
    // The run logged at debug level (so a debug line with personal data would have shown).
    expect(output).toMatch(/\bDEBUG\b.*inbound message stored/)
    const all = [...SECRETS.residents, ...SECRETS.residents.map((r) => `+${r}`), ...SECRETS.residents.map((r) => `0${r.slice(2)}`), ...SECRETS.names, ...SECRETS.texts, ...SECRETS.detected, ...SECRETS.other]
    const leaks = all.filter((secret) => output.includes(secret) || output.includes(JSON.stringify(secret).slice(1, -1)))
    expect(leaks, `log output:\n${output.slice(0, 5000)}`).toEqual([])
  })
})
