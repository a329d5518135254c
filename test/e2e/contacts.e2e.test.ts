/**
 * One resident is one contact and one conversation per channel account, whatever order Meta
 * reveals their phone number (wa_id) and business-scoped user id (BSUID) in; a reply always goes
 * to a recipient Meta accepts.
 */
import fc from "fast-check"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { auth, eventually } from "../support/gateway.ts"
import { startOutboundGateway } from "../support/outbound.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"

let ctx: Awaited<ReturnType<typeof startOutboundGateway>>
beforeAll(async () => {
  ctx = await startOutboundGateway()
})
afterAll(() => ctx.close())
afterEach(() => ctx.graph.assertValid())

const url = () => ctx.gw.url
type Shows = "number" | "bsuid" | "both"

let counter = 0
const freshResident = () => {
  counter++
  return { waId: `3166${String(counter).padStart(7, "0")}`, userId: `NL.77${String(counter).padStart(8, "0")}` }
}

/** The resident writes, showing the ids `shows` says; resolves once the message is stored. */
async function writes(resident: { waId: string; userId: string }, shows: Shows, extra: { message?: Record<string, unknown> } = {}) {
  const waId = shows === "bsuid" ? undefined : resident.waId
  const userId = shows === "number" ? undefined : resident.userId
  const message = extra.message ?? fixtures.textMessage({ from: waId ?? null, ...(userId === undefined ? {} : { userId }), body: "Hallo", timestamp: String(Math.floor(Date.now() / 1000)) })
  const contact = fixtures.contact({ ...(waId === undefined ? {} : { waId }), ...(userId === undefined ? {} : { userId }) })
  expect((await postWebhook(url(), fixtures.webhookBody({ contacts: [contact], messages: [message] }))).status).toBe(200)
  await eventually(async () => {
    for (const c of await conversationsOf(resident)) if ((await messagesOrNone(c.id)).some((m) => m.providerMessageId === message.id)) return true
    return false
  }, (found) => found, 20_000)
}

/** The conversation's messages; none when it was merged away meanwhile. */
const messagesOrNone = async (conversationId: string): Promise<Array<any>> => {
  const res = await fetch(`${url()}/api/v1/conversations/${conversationId}/messages?limit=200`, { headers: auth })
  if (res.status === 404) return []
  expect(res.status).toBe(200)
  return (await res.json()).items
}

/** Every conversation that shows either of the resident's ids. */
const conversationsOf = async (resident: { waId: string; userId: string }) =>
  (await allConversations(url())).filter((c) => c.contact.handle === resident.waId || c.contact.handle === resident.userId || c.contact.userId === resident.userId)

const reply = (conversationId: string) =>
  fetch(`${url()}/api/v1/conversations/${conversationId}/messages`, {
    method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: "Dank u" })
  })

/** Replies in `conversationId` and answers what Meta got: `to` or `recipient`. */
async function replyReaches(conversationId: string) {
  const res = await reply(conversationId)
  expect(res.status).toBe(202)
  const queued = await res.json()
  const request = await eventually(async () => ctx.graph.sent.find((s) => s.body.biz_opaque_callback_data === queued.id), (s) => s !== undefined, 20_000)
  const message = await eventually(async () => (await allMessages(url(), conversationId)).find((m) => m.id === queued.id), (m) => m?.status !== "queued", 20_000)
  expect(message.status).toBe("sent")
  return { to: request!.body.to as string | undefined, recipient: request!.body.recipient as string | undefined }
}

/**
 * Plays `order` and checks the promise: one conversation holding every message once Meta has
 * linked the ids (or showed only one of them), and a reply from every conversation that reaches
 * the resident. Before a message shows both, number and BSUID are two strangers to Loket.
 */
async function checkOrder(order: ReadonlyArray<Shows>) {
  const resident = freshResident()
  for (const shows of order) await writes(resident, shows)
  const conversations = await conversationsOf(resident)
  const linked = order.includes("both") || !order.includes("number") || !order.includes("bsuid")
  expect(conversations, `order ${order.join(" → ")}`).toHaveLength(linked ? 1 : 2)
  let inbound = 0
  for (const conversation of conversations) {
    inbound += (await allMessages(url(), conversation.id)).filter((m) => m.direction === "inbound").length
    const byNumber = conversation.contact.handle === resident.waId
    expect(conversation.contact.userId).toBe(byNumber && !(linked && order.some((s) => s !== "number")) ? null : resident.userId)
    expect(await replyReaches(conversation.id), `order ${order.join(" → ")}`)
      .toEqual(byNumber ? { to: resident.waId, recipient: undefined } : { to: undefined, recipient: resident.userId })
  }
  expect(inbound).toBe(order.length)
  if (linked) expect(conversations[0].contact.handle).toBe(order.some((s) => s !== "bsuid") ? resident.waId : resident.userId)
}

describe("one resident, one contact", () => {
  const shows: ReadonlyArray<Shows> = ["number", "bsuid", "both"]
  const everyOrderOfThree = shows.flatMap((a) => shows.flatMap((b) => shows.map((c) => [a, b, c] as const)))

  it("number only, then BSUID only, then both (issue 9): one conversation with every message, and the reply goes to the number", async () => {
    await checkOrder(["number", "bsuid", "both"])
  }, 60_000)

  it("holds for every order of three messages", async () => {
    for (const order of everyOrderOfThree) await checkOrder(order)
  }, 300_000)

  it("holds for random longer orders (fast-check)", async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.constantFrom<Shows>(...shows), { minLength: 1, maxLength: 6 }), checkOrder), { numRuns: 8 })
  }, 300_000)

  it("merges into the older conversation: it keeps its id and every message", async () => {
    const resident = freshResident()
    await writes(resident, "number")
    const [older] = await conversationsOf(resident)
    await writes(resident, "bsuid")
    const two = await conversationsOf(resident)
    expect(two).toHaveLength(2)
    const younger = two.find((c) => c.id !== older.id)
    await writes(resident, "both")
    const after = await conversationsOf(resident)
    expect(after.map((c) => c.id)).toEqual([older.id])
    expect((await allMessages(url(), older.id)).map((m) => m.type)).toEqual(["text", "text", "text"])
    // The absorbed conversation is gone: its id answers 404.
    expect((await fetch(`${url()}/api/v1/conversations/${younger.id}`, { headers: auth })).status).toBe(404)
  }, 60_000)

  it("keeps one contact when a system message announces a new number, also when the new number wrote first", async () => {
    const resident = freshResident()
    const newNumber = `3168${String(counter).padStart(7, "0")}`
    await writes(resident, "both")
    // The new number writes alone before Meta's notice arrives (webhooks are unordered).
    await writes({ waId: newNumber, userId: resident.userId }, "number")
    const notice = fixtures.systemMessage({ from: resident.waId, userId: resident.userId, newWaId: newNumber, timestamp: String(Math.floor(Date.now() / 1000)) })
    await writes(resident, "both", { message: notice })
    const conversations = (await allConversations(url())).filter((c) => [resident.waId, newNumber, resident.userId].includes(c.contact.handle) || c.contact.userId === resident.userId)
    expect(conversations).toHaveLength(1)
    expect(conversations[0].contact).toMatchObject({ handle: newNumber, userId: resident.userId })
    expect(await replyReaches(conversations[0].id)).toEqual({ to: newNumber, recipient: undefined })
  }, 60_000)

  it("a number that moved to another resident (another BSUID) leaves the first one reachable by BSUID", async () => {
    const first = freshResident()
    const second = { waId: first.waId, userId: `NL.88${String(counter).padStart(8, "0")}` }
    await writes(first, "both")
    const [firstConversation] = await conversationsOf(first)
    await writes(second, "both")
    const all = await allConversations(url())
    expect(all.filter((c) => c.contact.userId === first.userId || c.contact.userId === second.userId)).toHaveLength(2)
    expect(await replyReaches(firstConversation.id)).toEqual({ to: undefined, recipient: first.userId })
  }, 60_000)
})
