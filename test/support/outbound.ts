/** An in-process gateway with msw standing in for Meta's Graph API (messages, templates, media). */
import { setupServer } from "msw/node"
import { graphMessagesMock } from "../msw/graph-messages.ts"
import { baseEnv, PLAYBOOK_OFF, startGateway, type TestGateway } from "./gateway.ts"
import { fixtures, postWebhook } from "./whatsapp.ts"

export const GRAPH = "https://graph.test/v23.0"
export const ACCESS_TOKEN = "test-access-token"
export const WABA = fixtures.DEFAULT_WABA_ID
export const PHONE = fixtures.DEFAULT_PHONE_NUMBER_ID

export const APPROVED_TEMPLATES = [
  { name: "gemeente_follow_up", language: "nl", status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "Beste {{1}}, uw melding {{2}} is in behandeling." }] },
  { name: "gemeente_nieuws", language: "nl", status: "PAUSED", category: "MARKETING", components: [{ type: "BODY", text: "Nieuws" }] }
]

/** `playbook: true` keeps Loket's own replies (out of hours) on; agents' reply tests turn them off (PLAYBOOK_OFF). */
export async function startOutboundGateway(extra: Record<string, string> = {}, options: { readonly playbook?: boolean } = {}) {
  /** When each message reached the stand-in (performance.now()), in order. */
  const arrivals: Array<number> = []
  const graph = graphMessagesMock({ graphApiUrl: GRAPH, accessToken: ACCESS_TOKEN, wabaId: WABA, onSent: () => void arrivals.push(performance.now()) })
  graph.templates(APPROVED_TEMPLATES)
  const msw = setupServer(...graph.handlers)
  msw.listen({ onUnhandledRequest: "bypass" })
  const gw: TestGateway = await startGateway(baseEnv({
    GRAPH_API_URL: GRAPH, WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN, WHATSAPP_BUSINESS_ACCOUNT_ID: WABA,
    WHATSAPP_PHONE_NUMBER_ID: PHONE, WHATSAPP_SEND_TIMEOUT_MS: "500", ...(options.playbook === true ? {} : PLAYBOOK_OFF), ...extra
  }))
  return {
    gw, graph, arrivals,
    close: async () => {
      await gw.close()
      msw.close()
    }
  }
}

let counter = 0
/** A resident writes now (the window opens); answers the conversation id once it exists. */
export async function residentWrites(url: string, options: { waId?: string; userId?: string; timestamp?: number; body?: string } = {}) {
  const waId = options.waId ?? `3165${String(++counter).padStart(7, "0")}`
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000))
  const message = fixtures.textMessage({ from: options.userId !== undefined && options.waId === undefined ? null : waId, ...(options.userId === undefined ? {} : { userId: options.userId }), body: options.body ?? "Hallo gemeente", timestamp })
  await postWebhook(url, fixtures.webhookBody({ contacts: [fixtures.contact({ ...(options.userId !== undefined && options.waId === undefined ? {} : { waId }), ...(options.userId === undefined ? {} : { userId: options.userId }) })], messages: [message] }))
  return { waId, providerMessageId: message.id as string }
}
