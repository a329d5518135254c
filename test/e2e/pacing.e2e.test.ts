/** Meta's limits kept by the dispatcher (per number, per resident) and the closing-window warning. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { auth, eventually } from "../support/gateway.ts"
import { residentWrites, startOutboundGateway } from "../support/outbound.ts"
import { allConversations, api } from "../support/whatsapp.ts"

let ctx: Awaited<ReturnType<typeof startOutboundGateway>>
beforeAll(async () => {
  ctx = await startOutboundGateway({ WHATSAPP_MESSAGES_PER_SECOND: "5", WHATSAPP_PAIR_BURST: "2", LOKET_WINDOW_CHECK_SECONDS: "1" })
})
afterAll(() => ctx.close())

const url = () => ctx.gw.url
const conversationFor = (waId: string) =>
  eventually(async () => (await allConversations(url())).find((c) => c.contact.handle === waId), (c) => c !== undefined)
const send = (conversationId: string, text: string) =>
  fetch(`${url()}/api/v1/conversations/${conversationId}/messages`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text }) })

describe("pacing", () => {
  it("never sends more than the configured messages per second from one number; the rest waits", async () => {
    const residents = await Promise.all(Array.from({ length: 15 }, () => residentWrites(url())))
    const conversations = await Promise.all(residents.map((r) => conversationFor(r.waId)))
    const start = ctx.arrivals.length
    for (const c of conversations) expect((await send(c.id, "Even geduld")).status).toBe(202)
    await eventually(async () => ctx.arrivals.length - start, (n) => n === 15, 10_000)
    const times = ctx.arrivals.slice(start)
    let busiest = 0
    for (let i = 0; i < times.length; i++) busiest = Math.max(busiest, times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length)
    expect(busiest).toBeLessThanOrEqual(5)
    expect(times[times.length - 1]! - times[0]!).toBeGreaterThanOrEqual(1900) // 15 at 5/s: three seconds' worth
  })

  it("paces one resident by Meta's pair limit after the burst, queueing instead of failing", async () => {
    const { waId } = await residentWrites(url())
    const conversation = await conversationFor(waId)
    const before = ctx.graph.sent.filter((s) => s.body.to === waId).length
    for (const text of ["een", "twee", "drie"]) expect((await send(conversation.id, text)).status).toBe(202)
    await eventually(async () => ctx.graph.sent.filter((s) => s.body.to === waId).length - before, (n) => n === 2)
    const afterBurst = performance.now()
    await eventually(async () => ctx.graph.sent.filter((s) => s.body.to === waId).length - before, (n) => n === 3, 15_000)
    expect(performance.now() - afterBurst).toBeGreaterThan(2000) // the third waited for the pair limit (1 per 6 s)
    const messages = await api(url(), `/conversations/${conversation.id}/messages?limit=200`)
    expect(messages.body.items.filter((m: any) => m.direction === "outbound").every((m: any) => m.status !== "failed")).toBe(true)
  }, 30_000)
})

describe("closing window", () => {
  it("warns agents once when the window closes within the hour and nobody answered", async () => {
    const controller = new AbortController()
    const stream = await fetch(`${url()}/api/v1/events`, { headers: auth, signal: controller.signal })
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader()
    // the resident wrote 23.5 hours ago: half an hour left
    const { waId } = await residentWrites(url(), { timestamp: Math.floor(Date.now() / 1000) - 23.5 * 3600 })
    let text = ""
    const deadline = Date.now() + 10_000
    while (!text.includes("event: conversation.window_closing") && Date.now() < deadline) text += (await reader.read()).value ?? ""
    controller.abort()
    const block = text.slice(text.indexOf("event: conversation.window_closing"))
    const data = JSON.parse(block.split("\n").find((l) => l.startsWith("data:"))!.slice(5))
    expect(data).toMatchObject({ contact: { handle: waId }, windowClosingSoon: true })
    const conversation = await conversationFor(waId)
    expect(conversation.windowClosingSoon).toBe(true)
    // an agent answers: the warning is over
    expect((await send(conversation.id, "We helpen u")).status).toBe(202)
    expect((await api(url(), `/conversations/${conversation.id}`)).body.windowClosingSoon).toBe(false)
  })
})
