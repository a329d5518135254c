/**
 * The playbook with Effect's TestClock: a conversation actor on a real (in-memory) SQLite
 * database, the real timer watch (every 15 s, on the test clock), the settings' defaults
 * (Monday–Friday 08:30–17:00 in Europe/Amsterdam, Dutch holidays closed) with the follow-up on.
 * Residents' messages carry provider timestamps that agree with the test clock.
 */
import { defaultResidentSafety } from "../safety/ResidentSafety.ts"
import { describe, expect, it } from "vitest"
import { Context, Deferred, Effect, Layer, Semaphore } from "effect"
import { TestClock } from "effect/testing"
import { parseWebhook } from "../../adapters/whatsapp-cloud/parse.ts"
import * as fixtures from "../../adapters/whatsapp-cloud/fixtures.ts"
import type { InboundMessageEvent } from "../../domain/InboundEvent.ts"
import type { Message } from "../../domain/Message.ts"
import { instantOfWallTime } from "../../domain/office-hours/zone.ts"
import { defaultSettings, type SettingsDocument } from "../../domain/settings/mod.ts"
import { Database, type DatabaseShape } from "../../drizzle/Database.ts"
import { sqliteNodeLayer } from "../../drizzle/sqlite.ts"
import type { SendRefused } from "../../domain/errors.ts"
import { Conversations } from "../Conversations.ts"
import type { DomainEvent } from "../Events.ts"
import { makeInbox } from "../Inbox.ts"
import { Leadership } from "../Leadership.ts"
import { makeTemplateStore } from "../templates/TemplateStore.ts"
import { TimerWatch } from "../timers/TimerWatch.ts"
import { makeConversationBehavior, type ConversationState } from "./ConversationActor.ts"
import { makeConversationStore } from "./ConversationStore.ts"
import type { ConversationMessage } from "./protocol.ts"
import { windowClosingSoon } from "./serialize.ts"

const TZ = "Europe/Amsterdam"
const WA_ID = "31612345678"
const CONTACT = "ct_playbook"
const at = (date: string, time: string) => instantOfWallTime(date, Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)), TZ)

const settingsWith = (change: (s: SettingsDocument) => SettingsDocument = (s) => s): SettingsDocument => {
  const base = defaultSettings({ timezone: TZ })
  return change({ ...base, followUp: { enabled: true, template: { name: "loket_follow_up", language: "nl", buttons: ["Ja, graag", "Nee, dank je"] } } })
}

interface Harness {
  readonly database: DatabaseShape
  /** The resident writes now (by the test clock); answers when the actor has handled it. */
  readonly residentWrites: (body: string) => Effect.Effect<void, unknown>
  readonly agentAnswers: (text: string) => Effect.Effect<Message, unknown>
  readonly outbound: () => Effect.Effect<Array<{ text: string | null; type: string; flags: Array<string>; author: string | null }>, unknown>
  readonly outboxRequests: () => Effect.Effect<Array<any>, unknown>
  readonly conversation: () => ConversationState["conversation"]
  readonly published: Array<DomainEvent>
}

/** Runs `body` with the test clock set to `start`, everything (database, watch) built after that. */
function playbook<A>(start: number, settings: SettingsDocument, body: (h: Harness) => Effect.Effect<A, unknown>) {
  return Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    yield* TestClock.setTime(start)
    const database = Context.get(yield* Layer.build(sqliteNodeLayer(":memory:", { synchronous: "FULL" })), Database)
    const published: Array<DomainEvent> = []
    const behavior = makeConversationBehavior({
      database, store: makeConversationStore(database), inbox: makeInbox(database), templates: makeTemplateStore(database),
      publish: (events) => Effect.sync(() => void published.push(...events)), wakeOutbox: () => {}, templatesChanged: () => {},
      settings: Effect.succeed(settings), safety: Effect.succeed(defaultResidentSafety), audit: () => Effect.void
    })
    const created = new Date(start).toISOString()
    yield* database.transaction(database.run((db, t) =>
      db.insert(t.contacts).values({ id: CONTACT, channel: "whatsapp", handle: WA_ID, waId: WA_ID, userId: null, name: "Sanne", createdAt: created, updatedAt: created })))
    yield* makeTemplateStore(database).replaceAll(fixtures.DEFAULT_WABA_ID, [{
      id: "tpl_1", name: "loket_follow_up", language: "nl", status: "APPROVED", category: "UTILITY",
      components: [{ type: "BODY", text: "Heb je nog hulp nodig?" }, { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Ja, graag" }, { type: "QUICK_REPLY", text: "Nee, dank je" }] }],
      parameterCounts: { header: 0, body: 0, buttons: 0 }
    }])
    const key = `whatsapp|${fixtures.DEFAULT_PHONE_NUMBER_ID}|${CONTACT}`
    // One writer, as the actor host gives: the watch's tells and the test's messages take turns.
    const oneAtATime = yield* Semaphore.make(1)
    let state: ConversationState | undefined
    const receive = (message: ConversationMessage) => oneAtATime.withPermits(1)(Effect.gen(function*() {
      state ??= yield* behavior.activate(key, message)
      state = yield* behavior.receive(state, message, key)
    }))
    const conversations = Conversations.of({
      route: () => Effect.void, address: () => Effect.die("not used"), routeAddressed: () => Effect.die("not used"), send: () => Effect.die("not used"), work: () => Effect.die("not used"), active: () => 1, forget: () => {},
      tell: (_key, message) => Effect.orDie(receive(message))
    })
    yield* Layer.build(TimerWatch.pipe(Layer.provide(Layer.mergeAll(
      Layer.succeed(Database, database), Leadership.always, Layer.succeed(Conversations, conversations)
    ))))
    const h: Harness = {
      database,
      published,
      conversation: () => state?.conversation ?? null,
      residentWrites: (text) => Effect.gen(function*() {
        const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        const event = parseWebhook(fixtures.webhookBody({
          contacts: [fixtures.contact({ waId: WA_ID })],
          messages: [fixtures.textMessage({ from: WA_ID, body: text, timestamp: String(Math.floor(now / 1000)) })]
        })).events[0] as InboundMessageEvent
        yield* receive({ kind: "event", envelope: { seq: 0, event, handled: () => {} } })
      }),
      agentAnswers: (text) => Effect.gen(function*() {
        const reply = yield* Deferred.make<Message, SendRefused>()
        yield* receive({ kind: "send", command: { content: { type: "text", text, previewUrl: false }, replyTo: null, idempotencyKey: null, author: "agent" }, reply })
        return yield* Deferred.await(reply)
      }),
      outbound: () => database.all((db, t) => db.select().from(t.messages)).pipe(Effect.map((rows) =>
        rows.filter((r) => r.direction === "outbound").map((r) => ({ text: r.text, type: r.type, flags: r.flags, author: r.author }))
      )),
      outboxRequests: () => database.all((db, t) => db.select().from(t.outbox)).pipe(Effect.map((rows) => rows.map((r) => r.request as any)))
    }
    return yield* body(h)
  })).pipe(Effect.provide(TestClock.layer())))
}

const FOLLOW_UP_REQUEST = {
  type: "template",
  template: {
    name: "loket_follow_up", language: "nl",
    components: [
      { type: "button", sub_type: "quick_reply", index: "0", parameters: [{ type: "payload", payload: "loket:follow-up:0" }] },
      { type: "button", sub_type: "quick_reply", index: "1", parameters: [{ type: "payload", payload: "loket:follow-up:1" }] }
    ]
  }
}

/** A message while closed, then the clock moved to just before and just after the opening: what was sent when. */
const closedUntil = (writeAt: number, opening: number, settings = settingsWith()) =>
  playbook(writeAt, settings, (h) => Effect.gen(function*() {
    yield* h.residentWrites("Mijn container is niet geleegd")
    const afterMessage = yield* h.outbound()
    yield* TestClock.setTime(opening - 1000)
    const justBefore = yield* h.outbound()
    yield* TestClock.adjust("16 seconds") // the watch looks every 15 s
    const afterOpening = yield* h.outbound()
    return { afterMessage, justBefore, afterOpening, requests: yield* h.outboxRequests(), conversation: h.conversation() }
  }))

describe("out-of-hours reply and follow-up (TestClock)", () => {
  it("a Friday-evening message gets one reply naming Monday 08:30, and the follow-up template at Monday 08:30 when nobody answered", async () => {
    const friday = at("2025-11-28", "20:00")
    const monday = at("2025-12-01", "08:30")
    const result = await closedUntil(friday, monday, settingsWith((s) => ({ ...s, followUp: { ...s.followUp } })))
    expect(result.afterMessage).toEqual([{
      type: "text", author: "loket", flags: ["auto", "auto:out-of-hours"],
      text: "Bedankt voor uw bericht. We zijn nu gesloten. We lezen uw bericht als we weer open zijn: maandag 1 december om 08:30."
    }])
    expect(result.justBefore).toHaveLength(1)
    expect(result.afterOpening).toHaveLength(2)
    expect(result.afterOpening[1]).toMatchObject({ type: "template", author: "loket", flags: ["auto", "auto:follow-up"], text: "Heb je nog hulp nodig?" })
    expect(result.requests[1]).toMatchObject({ to: { waId: WA_ID }, content: FOLLOW_UP_REQUEST })
    // The auto messages are no agent's answer: the resident is still waiting, the window is the resident's own.
    expect(result.conversation).toMatchObject({ lastOutboundAt: null, waitingSince: new Date(friday).toISOString(), windowExpiresAt: new Date(friday + 86_400_000).toISOString() })
    // …so agents are still warned when the window is about to close unanswered.
    expect(windowClosingSoon(result.conversation!, friday + 23.5 * 3_600_000)).toBe(true)
  })

  it("names the next opening in English when the language is en", async () => {
    const result = await closedUntil(at("2025-11-28", "20:00"), at("2025-12-01", "08:30"), settingsWith((s) => ({
      ...s, language: "en", autoReplies: { ...s.autoReplies, outOfHours: { enabled: true, text: "We are closed. We open again {{nextOpen}}." } }
    })))
    expect(result.afterMessage[0]!.text).toBe("We are closed. We open again Monday 1 December at 08:30.")
  })

  it("on a holiday Monday (Tweede Paasdag) the next opening is Tuesday", async () => {
    const result = await closedUntil(at("2026-04-03", "19:00"), at("2026-04-07", "08:30"))
    expect(result.afterMessage[0]!.text).toContain("dinsdag 7 april om 08:30")
    expect(result.justBefore).toHaveLength(1)
    expect(result.afterOpening.map((m) => m.type)).toEqual(["text", "template"])
  })

  it("Koningsdag on a Monday closes it; on a Sunday (2025) it moves to Saturday and Monday opens as usual", async () => {
    const kingsDayMonday = await closedUntil(at("2026-04-24", "18:00"), at("2026-04-28", "08:30"))
    expect(kingsDayMonday.afterMessage[0]!.text).toContain("dinsdag 28 april om 08:30")
    expect(kingsDayMonday.afterOpening).toHaveLength(2)
    const sunday = await closedUntil(at("2025-04-25", "18:00"), at("2025-04-28", "08:30"))
    expect(sunday.afterMessage[0]!.text).toContain("maandag 28 april om 08:30")
    expect(sunday.afterOpening).toHaveLength(2)
  })

  it("Hemelvaartsdag (Easter + 39 days) is closed: a Wednesday-evening message is followed up on Friday", async () => {
    const result = await closedUntil(at("2026-05-13", "20:00"), at("2026-05-15", "08:30"))
    expect(result.afterMessage[0]!.text).toContain("vrijdag 15 mei om 08:30")
    expect(result.afterOpening).toHaveLength(2)
  })

  it("across the spring daylight-saving switch the follow-up goes at 08:30 summer time (06:30 UTC), not an hour off", async () => {
    const monday = at("2026-03-30", "08:30")
    expect(new Date(monday).toISOString()).toBe("2026-03-30T06:30:00.000Z")
    const result = await closedUntil(at("2026-03-27", "20:00"), monday)
    expect(result.afterMessage[0]!.text).toContain("maandag 30 maart om 08:30")
    expect(result.justBefore).toHaveLength(1)
    expect(result.afterOpening).toHaveLength(2)
  })

  it("across the autumn switch the follow-up goes at 08:30 winter time (07:30 UTC), not an hour early", async () => {
    const monday = at("2026-10-26", "08:30")
    expect(new Date(monday).toISOString()).toBe("2026-10-26T07:30:00.000Z")
    const result = await playbook(at("2026-10-23", "20:00"), settingsWith(), (h) => Effect.gen(function*() {
      yield* h.residentWrites("Vraag over parkeren")
      yield* TestClock.setTime(monday - 3_600_000 + 16_000) // 08:30 summer time would be here
      const anHourEarly = yield* h.outbound()
      yield* TestClock.setTime(monday + 16_000)
      return { anHourEarly, atOpening: yield* h.outbound() }
    }))
    expect(result.anHourEarly.map((m) => m.type)).toEqual(["text"])
    expect(result.atOpening.map((m) => m.type)).toEqual(["text", "template"])
  })

  it("one out-of-hours reply per closed period: more messages the same evening get none, the next evening gets one again", async () => {
    const result = await playbook(at("2025-12-01", "18:00"), settingsWith(), (h) => Effect.gen(function*() {
      for (let i = 0; i < 5; i++) {
        yield* h.residentWrites(`bericht ${i}`)
        yield* TestClock.adjust("10 minutes")
      }
      const sameEvening = yield* h.outbound()
      yield* TestClock.setTime(at("2025-12-02", "18:30"))
      yield* h.residentWrites("weer een vraag")
      return { sameEvening, nextEvening: yield* h.outbound() }
    }))
    expect(result.sameEvening).toHaveLength(1)
    // Tuesday 08:30 came in between: the window (from Monday 18:40) was still open, so no template; Tuesday evening is a new closed period.
    expect(result.nextEvening.map((m) => m.flags[1])).toEqual(["auto:out-of-hours", "auto:out-of-hours"])
    expect(result.nextEvening[1]!.text).toContain("morgen om 08:30")
  })

  it("no follow-up once an agent has answered", async () => {
    const result = await playbook(at("2025-11-28", "20:00"), settingsWith(), (h) => Effect.gen(function*() {
      yield* h.residentWrites("Hallo?")
      yield* TestClock.setTime(at("2025-11-29", "10:00"))
      yield* h.agentAnswers("We helpen u maandag verder.")
      yield* TestClock.setTime(at("2025-12-01", "08:31"))
      return { outbound: yield* h.outbound(), conversation: h.conversation() }
    }))
    expect(result.outbound.map((m) => m.author)).toEqual(["loket", "agent"])
    expect(result.conversation?.waitingSince).toBeNull()
  })

  it("while the window is still open at the opening no template goes: the conversation is first in the queue (oldest waitingSince)", async () => {
    const sunday = at("2025-11-30", "11:00")
    const result = await playbook(at("2025-11-28", "20:00"), settingsWith(), (h) => Effect.gen(function*() {
      yield* h.residentWrites("Vrijdagavond")
      yield* TestClock.setTime(sunday)
      yield* h.residentWrites("Zondag nog een vraag") // the window now runs until Monday 11:00
      yield* TestClock.setTime(at("2025-12-01", "08:31"))
      const updates = h.published.filter((e) => e.type === "conversation.updated").length
      return { outbound: yield* h.outbound(), conversation: h.conversation(), updates }
    }))
    expect(result.outbound.map((m) => m.type)).toEqual(["text"]) // one reply for the whole weekend, no template
    expect(result.conversation?.waitingSince).toBe(new Date(at("2025-11-28", "20:00")).toISOString())
    expect(result.updates).toBe(3) // two messages, and the opening: agents see the conversation waiting
  })

  it("a follow-up whose template is not approved is not sent, and the timer does not fire again", async () => {
    const result = await playbook(at("2025-11-28", "20:00"), settingsWith((s) => ({ ...s, followUp: { enabled: true, template: { name: "onbekend", language: "nl" } } })), (h) =>
      Effect.gen(function*() {
        yield* h.residentWrites("Hallo")
        yield* TestClock.setTime(at("2025-12-01", "08:31"))
        yield* TestClock.adjust("1 minute")
        const timers = yield* h.database.all((db, t) => db.select().from(t.timers))
        return { outbound: yield* h.outbound(), timers }
      }))
    expect(result.outbound).toHaveLength(1)
    expect(result.timers).toMatchObject([{ kind: "follow-up", state: "fired", outcome: "template not sent: template_not_found" }])
  })

  it("during office hours no out-of-hours reply, and the receipt when enabled, once per opening period", async () => {
    const result = await playbook(at("2025-12-01", "10:00"), settingsWith((s) => ({ ...s, autoReplies: { ...s.autoReplies, receipt: { ...s.autoReplies.receipt, enabled: true } } })), (h) =>
      Effect.gen(function*() {
        yield* h.residentWrites("Eerste vraag")
        yield* TestClock.adjust("5 minutes")
        yield* h.residentWrites("Tweede vraag")
        return yield* h.outbound()
      }))
    expect(result).toEqual([{ type: "text", author: "loket", flags: ["auto", "auto:receipt"], text: "We hebben uw bericht ontvangen. Een medewerker antwoordt zo snel mogelijk." }])
  })
})
