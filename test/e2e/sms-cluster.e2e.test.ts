/**
 * SMS in cluster mode (NATS JetStream + PostgreSQL), in this process: the same adapter through
 * the NATS transport, from a burst of SMS to a reply Twilio reports delivered.
 */
import { describe, expect, it } from "vitest"
import { twilioMock } from "../msw/twilio.ts"
import { auth, eventually } from "../support/gateway.ts"
import { clusterGatewayFor } from "../support/cluster-gateway.ts"
import { ACCOUNT_SID, AUTH_TOKEN, inboundSms, newResidentNumber, postTwilio, smsEnv, statusCallback, TWILIO_API } from "../support/sms.ts"
import { allConversations, allMessages } from "../support/whatsapp.ts"

const twilio = twilioMock({ apiUrl: TWILIO_API, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN })
const gw = clusterGatewayFor(smsEnv, twilio.handlers)

describe("SMS in cluster mode", () => {
  it("stores a burst of SMS once each through JetStream, answers them and follows the status callbacks", async () => {
    const resident = newResidentNumber()
    const posts = Array.from({ length: 20 }, (_, n) => inboundSms(resident, `bericht ${n}`))
    const statuses = await Promise.all(posts.map((sms) => postTwilio(gw.url, sms).then((r) => r.status)))
    expect(statuses.every((s) => s === 200)).toBe(true)
    expect(await (await postTwilio(gw.url, posts[0]!)).json()).toMatchObject({ duplicates: 1 }) // Twilio's retry

    const conversation = await eventually(async () => (await allConversations(gw.url)).find((c) => c.channel === "sms" && c.contact.handle === resident.slice(1)), (c) => c !== undefined, 20_000)
    const messages = await eventually(() => allMessages(gw.url, conversation.id), (items) => items.length >= 20, 20_000)
    expect(messages.map((m) => m.text).sort()).toEqual(posts.map((_, n) => `bericht ${n}`).sort())

    const reply = await fetch(`${gw.url}/api/v1/conversations/${conversation.id}/messages`, {
      method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: "Ontvangen" })
    })
    expect(reply.status).toBe(202)
    const queued = await reply.json()
    const statusOf = async () => (await allMessages(gw.url, conversation.id)).find((m) => m.id === queued.id)?.status
    await eventually(statusOf, (s) => s === "sent", 20_000)
    const [call] = twilio.sentTo(resident)
    expect(call!.fields.Body).toBe("Ontvangen")
    expect((await postTwilio(gw.url, statusCallback(call!.sid, resident, "delivered"))).status).toBe(200)
    await eventually(statusOf, (s) => s === "delivered", 20_000)
    expect(twilio.sentTo(resident)).toHaveLength(1)
    twilio.assertValid()
  }, 60_000)
})
