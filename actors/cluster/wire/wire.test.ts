/**
 * What Loket reads from NATS is decoded with a Schema: every event the WhatsApp adapter makes,
 * every command and domain event Loket sends, comes back unchanged; anything else is refused,
 * naming the fields that failed and never their values.
 */
import { describe, expect, it } from "vitest"
import * as fixtures from "../../../adapters/whatsapp-cloud/fixtures.ts"
import { parseWebhook } from "../../../adapters/whatsapp-cloud/parse.ts"
import type { DomainEvent } from "../../Events.ts"
import { type Answer, type Command, decodeAnswer, decodeCommand } from "./CommandWire.ts"
import { decodeDomainEvents } from "./DomainEventWire.ts"
import { decodeInboundEvent } from "./InboundEventWire.ts"

const from = "31687654321"
const body = fixtures.envelope([
  fixtures.entry({
    changes: [fixtures.messagesChange({
      contacts: [fixtures.contact({ waId: from, name: "Sanne de Vries" })],
      messages: [
        fixtures.textMessage({ from, body: "Mijn container is niet geleegd", context: { id: "wamid.earlier", forwarded: true } }),
        fixtures.imageMessage({ from, caption: "foto" }),
        fixtures.stickerMessage({ from, animated: true }),
        fixtures.documentMessage({ from, filename: "brief.pdf" }),
        fixtures.locationMessage({ from, latitude: 52.37, longitude: 4.89, name: "Dam" }),
        fixtures.contactsMessage({ from, cards: [{ name: "Piet", phones: ["+31611111111"] }] }),
        fixtures.buttonReplyMessage({ from, replyId: "b1", title: "Ja" }),
        fixtures.listReplyMessage({ from, replyId: "r1", title: "Afval", description: "grofvuil" }),
        fixtures.flowReplyMessage({ from, responseJson: "{\"a\":1}" }),
        fixtures.reactionMessage({ from, messageId: "wamid.x", emoji: "👍" }),
        fixtures.orderMessage({ from, catalogId: "c1", items: [{ productRetailerId: "p1", quantity: 2, itemPrice: 9.5, currency: "EUR" }] }),
        fixtures.systemMessage({ from, newWaId: "31600000000" }),
        fixtures.requestWelcomeMessage({ from }),
        fixtures.unsupportedMessage({ from })
      ],
      statuses: [
        fixtures.statusUpdate({ id: "wamid.out1", status: "delivered", trackingId: "msg_1" }),
        fixtures.statusUpdate({ id: "wamid.out2", status: "failed", errors: [fixtures.metaError(131047, "Re-engagement message")] })
      ]
    })]
  }),
  ...(fixtures.templateStatusUpdate() as { entry: Array<Record<string, unknown>> }).entry
])

const message = {
  id: "msg_1", conversationId: "conv_1", direction: "outbound", type: "text", providerMessageId: null, createdAt: "2026-12-02T03:00:00.000Z",
  text: "Uw melding is ontvangen", media: null, location: null, reaction: null, reply: null, replyTo: null, status: "queued", error: null,
  flags: [], forwarded: null, contacts: null, referral: null, flow: null, order: null, system: null, template: null, interactive: null, author: "kcc",
  sender: { kind: "agent", id: "agt_1", name: "kcc" }
} as const

describe("events on the JetStream stream", () => {
  const events = parseWebhook(body).events

  it("every event the WhatsApp adapter makes decodes back to itself", () => {
    // 14 messages (one of them not understood: parked, not an event), 2 statuses, 1 template status.
    expect(events.length).toBe(16 + 1)
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(["message", "status", "template_status"]))
    for (const event of events) expect(decodeInboundEvent(JSON.stringify(event))).toEqual({ ok: true, value: event })
  })

  it("refuses what is not an event, naming the failed fields and never their values", () => {
    const event = events[0]!
    const cases: Array<[string, string]> = [
      ["not JSON {", "(root)"],
      [JSON.stringify({ kind: "message" }), "key"],
      [JSON.stringify({ ...event, kind: "delete_everything" }), "(root)"],
      [JSON.stringify({ ...event, message: { ...(event as { message: object }).message, type: "Mijn BSN is 123456782" } }), "message.type"],
      [JSON.stringify({ ...event, resident: { waId: 31612345678, userId: null, name: null } }), "resident.waId"]
    ]
    for (const [text, path] of cases) {
      const decoded = decodeInboundEvent(text)
      expect(decoded.ok, text).toBe(false)
      if (!decoded.ok) {
        expect(decoded.paths).toContain(path)
        expect(decoded.paths).not.toMatch(/BSN|31612345678|Sanne/)
      }
    }
  })
})

describe("commands to a partition's owner", () => {
  const commands: Array<Command> = [
    { op: "work", conversationId: "conv_1", command: { op: "assign", team: "team_1" }, by: { actor: { kind: "agent", id: "agt_1", name: "kcc" }, sender: { kind: "agent", id: "agt_1", name: "kcc" } } },
    { op: "work", conversationId: "conv_1", command: { op: "note", text: "Bellen", idempotencyKey: null }, by: { actor: { kind: "token", id: "tok_1", name: "beheer" }, sender: { kind: "token", id: "tok_1", name: "beheer" } } },
    { op: "send", conversationId: "conv_1", command: { content: { type: "text", text: "Hallo", previewUrl: false }, replyTo: null, idempotencyKey: "k1", author: "kcc" } },
    {
      op: "send", conversationId: "conv_1",
      command: { content: { type: "template", template: { name: "afspraak", language: "nl", components: [{ type: "body" }] } }, replyTo: "wamid.a", idempotencyKey: null, author: "kcc", flags: ["auto"] }
    },
    { op: "send", conversationId: "conv_1", command: { content: { type: "document", media: { id: "m1", filename: "a.pdf" } }, replyTo: null, idempotencyKey: null, author: "kcc" } },
    {
      op: "send", conversationId: "conv_1",
      command: {
        content: { type: "interactive", interactive: { type: "list", body: "Kies", button: "Opties", sections: [{ title: "A", rows: [{ id: "r1", title: "Eén" }] }] } },
        replyTo: null, idempotencyKey: null, author: "kcc"
      }
    },
    { op: "tell", key: "whatsapp|106540352242922|ct_1", message: { kind: "sent", messageId: "msg_1", providerMessageId: "wamid.1" } },
    { op: "tell", key: "whatsapp|106540352242922|ct_1", message: { kind: "send-failed", messageId: "msg_1", error: { code: 131047, title: "Re-engagement" } } },
    { op: "tell", key: "whatsapp|106540352242922|ct_1", message: { kind: "window-check" } }
  ]

  it("every command Loket sends decodes back to itself", () => {
    for (const command of commands) expect(decodeCommand(JSON.stringify(command))).toEqual({ ok: true, value: command })
  })

  it("refuses a forged or damaged command", () => {
    const forged = [
      { op: "tell", key: "k", message: { kind: "sent", messageId: "msg_1" } }, // "mark sent" without the provider id
      { op: "tell", key: "k", message: { kind: "event", envelope: { seq: 1 } } }, // a stream event is never a command
      { op: "send", conversationId: "conv_1", command: { content: { type: "text", text: 5 }, replyTo: null, idempotencyKey: null, author: "x" } },
      { op: "drop-table", key: "k" },
      "just a string"
    ]
    for (const command of forged) expect(decodeCommand(JSON.stringify(command)).ok, JSON.stringify(command)).toBe(false)
    expect(decodeCommand("{").ok).toBe(false)
  })

  it("answers decode back to themselves; anything else is refused", () => {
    const answers: Array<Answer> = [
      { ok: message }, { ok: true }, { notOwner: true },
      { refused: { code: "window_closed", status: 422, message: "Het venster is gesloten", details: [{ path: "content", message: "template nodig" }] } }
    ]
    for (const answer of answers) expect(decodeAnswer(JSON.stringify(answer))).toEqual({ ok: true, value: answer })
    expect(decodeAnswer(JSON.stringify({ ok: { id: "msg_1" } })).ok).toBe(false)
    expect(decodeAnswer(JSON.stringify({ refused: { code: "x", status: 200, message: "" } })).ok).toBe(false)
  })
})

describe("domain events for the SSE streams", () => {
  it("every kind decodes back to itself; a malformed batch is refused whole", () => {
    const conversation = {
      id: "conv_1", channel: "whatsapp", channelAccountId: "106540352242922", contact: { id: "ct_1", handle: from, name: null, userId: null },
      status: "open", team: null, assignee: null, createdAt: "2026-12-02T03:00:00.000Z", lastMessageAt: "2026-12-02T03:00:00.000Z",
      windowExpiresAt: null, windowClosingSoon: false, unreadCount: 0
    } as const
    const events: Array<DomainEvent> = [
      { type: "message.created", data: message },
      { type: "message.updated", data: { ...message, status: "sent" } },
      { type: "conversation.updated", data: conversation },
      { type: "conversation.assigned", data: { ...conversation, team: "team_1" } },
      { type: "note.created", data: { ...message, direction: "internal", type: "note" } },
      { type: "conversation.window_closing", data: { ...conversation, windowClosingSoon: true } },
      { type: "channel.alert", data: { channel: "whatsapp", channelAccountId: "1", code: 190, title: "Token expired", message: "renew", at: "2026-12-02T03:00:00.000Z" } }
    ]
    expect(decodeDomainEvents(JSON.stringify(events))).toEqual({ ok: true, value: events })
    expect(decodeDomainEvents(JSON.stringify([...events, { type: "message.created", data: { text: "hoi" } }])).ok).toBe(false)
    expect(decodeDomainEvents(JSON.stringify({ type: "message.created", data: message })).ok).toBe(false)
  })
})
