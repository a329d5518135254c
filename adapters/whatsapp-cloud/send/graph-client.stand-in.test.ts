/** The Graph client over real sockets, against test/support/graph-stand-in.ts (what child-process tests use). */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { verifySignature } from "../verify.ts"
import { type GraphStandIn, startGraphStandIn } from "../../../test/support/graph-stand-in.ts"
import { makeGraphSendClient } from "./graph-client.ts"

const TOKEN = "EAAG-stand-in-token"
const SECRET = "stand-in-app-secret"
const PHONE_ID = "106540352242922"

let standIn: GraphStandIn | undefined
let receiver: Server | undefined
afterEach(async () => {
  await standIn?.close()
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()))
  standIn = undefined
  receiver = undefined
})

/** A webhook endpoint that fails the first `failures` posts, and checks every signature. */
async function startReceiver(failures: number) {
  const received: Array<{ body: any; signed: boolean }> = []
  let posts = 0
  receiver = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const raw = Buffer.concat(chunks)
      posts++
      if (posts <= failures) {
        res.writeHead(500).end()
        return
      }
      received.push({ body: JSON.parse(raw.toString("utf8")), signed: verifySignature(raw, req.headers["x-hub-signature-256"] as string, SECRET).ok })
      res.writeHead(200).end("ok")
    })
  })
  await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", () => resolve()))
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/whatsapp`, received, posts: () => posts }
}

describe("graph stand-in", () => {
  it("accepts a checked send over HTTP and posts signed sent → delivered webhooks, retrying until 200", async () => {
    const hook = await startReceiver(2)
    standIn = await startGraphStandIn({ accessToken: TOKEN, phoneNumberIds: [PHONE_ID], webhook: { url: hook.url, appSecret: SECRET } })
    expect(standIn.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v23\.0$/)
    const client = makeGraphSendClient({ graphApiUrl: standIn.url, accessToken: TOKEN })
    const { providerMessageId } = await client.send({
      channelAccountId: PHONE_ID, to: { waId: null, userId: "NL.1349120865" }, trackingId: "out_42",
      content: { type: "text", text: "Hoi", previewUrl: false }
    })
    await standIn.webhooksSettled()
    expect(standIn.webhookFailures).toEqual([])
    expect(hook.posts()).toBe(4)
    const statuses = hook.received.map((r) => r.body.entry[0].changes[0].value.statuses[0])
    expect(hook.received.every((r) => r.signed)).toBe(true)
    expect(statuses.map((s) => s.status)).toEqual(["sent", "delivered"])
    expect(statuses[0]).toMatchObject({ id: providerMessageId, biz_opaque_callback_data: "out_42", recipient_user_id: "NL.1349120865" })
    expect(statuses[0]).not.toHaveProperty("recipient_id")
    expect(hook.received[0]?.body.entry[0].changes[0].value.metadata.phone_number_id).toBe(PHONE_ID)
    standIn.assertValid()
  })

  it("scripts faults, records problems, and closes while an answer hangs", async () => {
    standIn = await startGraphStandIn({ accessToken: TOKEN, latencyMs: 5 })
    const client = makeGraphSendClient({ graphApiUrl: standIn.url, accessToken: TOKEN, timeoutMs: 300 })
    const send = () => client.send({ channelAccountId: PHONE_ID, to: { waId: "31612345678", userId: null }, trackingId: "t", content: { type: "text", text: "x", previewUrl: false } })
    standIn.script({ status: 503 }, { error: 131047 }, { hang: true })
    await expect(send()).rejects.toMatchObject({ retryable: true, httpStatus: 503 })
    await expect(send()).rejects.toMatchObject({ retryable: false, code: 131047 })
    await expect(send()).rejects.toMatchObject({ retryable: true, code: "timeout" })
    await expect(send()).resolves.toHaveProperty("providerMessageId")
    expect(standIn.sent).toHaveLength(1)

    const wrong = makeGraphSendClient({ graphApiUrl: standIn.url, accessToken: "other" })
    await expect(wrong.send({ channelAccountId: PHONE_ID, to: { waId: "31612345678", userId: null }, trackingId: "t", content: { type: "text", text: "x", previewUrl: false } }))
      .rejects.toMatchObject({ tokenExpired: true })
    expect(standIn.problems).toEqual(["send: wrong Authorization header (expected Bearer <the configured token>)"])
    standIn.reset()

    standIn.script({ hang: true })
    const hanging = makeGraphSendClient({ graphApiUrl: standIn.url, accessToken: TOKEN, timeoutMs: 10_000 }).send({
      channelAccountId: PHONE_ID, to: { waId: "31612345678", userId: null }, trackingId: "t", content: { type: "text", text: "x", previewUrl: false }
    }).catch((e: unknown) => e)
    await new Promise((r) => setTimeout(r, 50))
    const started = Date.now()
    await standIn.close()
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(await hanging).toMatchObject({ retryable: true })
  })

  it("uploads and lists templates over HTTP", async () => {
    standIn = await startGraphStandIn({ accessToken: TOKEN, wabaId: "777" })
    standIn.templates(Array.from({ length: 150 }, (_, i) => ({ name: `t${i}` })))
    const client = makeGraphSendClient({ graphApiUrl: standIn.url, accessToken: TOKEN })
    expect(await client.listTemplates("777")).toHaveLength(150)
    const { id } = await client.uploadMedia(PHONE_ID, { bytes: new Uint8Array(2048).fill(1), mimeType: "image/jpeg", filename: "foto.jpg" })
    expect(id).toMatch(/^\d+$/)
    expect(standIn.uploads[0]).toMatchObject({ type: "image/jpeg", filename: "foto.jpg" })
    standIn.assertValid()
  })
})

describe("sends over keep-alive connections", () => {
  /** A Graph-like server that counts the connections made to it and answers with `answer`. */
  async function countingGraph(answer: (res: import("node:http").ServerResponse) => void) {
    let connections = 0
    receiver = createServer((req, res) => {
      req.resume()
      req.on("end", () => answer(res))
    })
    receiver.on("connection", () => connections++)
    await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", () => resolve()))
    return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v23.0`, connections: () => connections }
  }
  const send = (client: ReturnType<typeof makeGraphSendClient>, n: number) => client.send({
    channelAccountId: PHONE_ID, to: { waId: "31612345678", userId: null }, trackingId: `t${n}`, content: { type: "text", text: `Hoi ${n}`, previewUrl: false }
  })
  const wamid = (res: import("node:http").ServerResponse) =>
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ messaging_product: "whatsapp", messages: [{ id: "wamid.X" }] }))

  it("200 sends, 8 at a time, open at most 8 connections", async () => {
    const graph = await countingGraph(wamid)
    const client = makeGraphSendClient({ graphApiUrl: graph.url, accessToken: TOKEN })
    let next = 0
    const ids = await Promise.all(Array.from({ length: 8 }, async () => {
      const got: Array<string> = []
      while (next < 200) got.push((await send(client, next++)).providerMessageId)
      return got
    }))
    expect(ids.flat()).toHaveLength(200)
    expect(graph.connections()).toBeGreaterThan(0)
    expect(graph.connections()).toBeLessThanOrEqual(8)
  })

  it("carries Retry-After of a 429 and refuses an answer larger than 4 MiB", async () => {
    let n = 0
    const graph = await countingGraph((res) => {
      if (n++ === 0) {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "7" })
          .end(JSON.stringify({ error: { message: "(#130429) Rate limit hit", type: "OAuthException", code: 130429, fbtrace_id: "A1" } }))
      } else res.writeHead(200, { "content-type": "application/json" }).end(`{"pad":"${"x".repeat(5 * 1024 * 1024)}"}`)
    })
    const client = makeGraphSendClient({ graphApiUrl: graph.url, accessToken: TOKEN })
    await expect(send(client, 1)).rejects.toMatchObject({ code: 130429, retryable: true, retryAfterMs: 7_000 })
    await expect(send(client, 2)).rejects.toMatchObject({ code: "unreadable_answer", retryable: false })
  })
})
