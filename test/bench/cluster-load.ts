/**
 * Load helpers of part 6: a client spreading requests round-robin over several gateways (one
 * can be dropped, as a load balancer stops sending to a dead instance), the canonical event a
 * webhook becomes (what the gateway publishes to JetStream), and a look at one event on the wire.
 */
import { connect } from "nats"
import { parseWebhook } from "../../adapters/whatsapp-cloud/mod.ts"
import type { InboundEvent } from "../../domain/InboundEvent.ts"
import type { Client, Prepared } from "./load.ts"

export interface RoundRobinClient extends Client {
  /** Stops sending to `client` (requests already in flight to it run their course). */
  readonly drop: (client: Client) => void
}

export function roundRobin(clients: ReadonlyArray<Client>): RoundRobinClient {
  const live = [...clients]
  let next = 0
  return {
    post: (req) => live[next++ % live.length]!.post(req),
    close: () => clients.forEach((c) => c.close()),
    drop: (client) => void live.splice(live.indexOf(client), 1)
  }
}

/** The one event of a single-message webhook, as the gateway parses it. */
export function eventOf(webhook: Prepared): InboundEvent {
  const event = parseWebhook(JSON.parse(webhook.body.toString("utf8"))).events[0]
  if (event === undefined) throw new Error("the webhook parses to no event")
  return event
}

/** What the gateway publishes for `webhook`: JSON of its event, with the event key as Nats-Msg-Id. */
export function publishedFor(webhook: Prepared): { readonly payloadBytes: number; readonly msgIdLength: number } {
  const event = eventOf(webhook)
  return { payloadBytes: Buffer.byteLength(JSON.stringify(event)), msgIdLength: event.key.length }
}

export interface SeenOnTheWire {
  readonly payloadBytes: number
  readonly msgId: string
}

/**
 * Resolves with the first event published under `namespace` (a core subscription, one message,
 * then it unsubscribes), or undefined when none came within `timeoutMs`.
 */
export async function firstEventOnTheWire(natsUrl: string, namespace: string, timeoutMs: number): Promise<() => Promise<SeenOnTheWire | undefined>> {
  const nc = await connect({ servers: natsUrl, name: "loket-bench-sniff" })
  const subscription = nc.subscribe(`${namespace}.events.>`, { max: 1 })
  await nc.flush()
  const first = (async () => {
    for await (const msg of subscription) return { payloadBytes: msg.data.length, msgId: msg.headers?.get("Nats-Msg-Id") ?? "" }
    return undefined
  })()
  return async () => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs)
    })
    const seen = await Promise.race([first, timeout])
    clearTimeout(timer)
    await nc.close()
    return seen
  }
}
