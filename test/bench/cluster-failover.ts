/**
 * Part 6's failover: while webhooks arrive at a steady rate (open loop, 500/s by default, round-robin over
 * both gateways), the gateway that does not lead is killed with SIGKILL and dropped from the
 * round-robin at once. Measured from the kill: until the survivor's admin view shows every
 * partition owned, until a webhook from a resident of one of the killed gateway's partitions
 * (sent to the survivor right after the kill) is answered 200, and until that message is in the
 * survivor's API. Afterwards: whether every acknowledged webhook of the load became a row.
 */
import { placeEvent } from "../../actors/cluster/Placement.ts"
import { ADMIN_TOKEN } from "../support/gateway.ts"
import { fixtures } from "../support/whatsapp.ts"
import { type ClusterGateway, type ClusterUnderTest, clusterView, type PgCounter, waitForViews } from "./cluster-gateways.ts"
import { eventOf, roundRobin } from "./cluster-load.ts"
import { prepare, singleMessageWebhooks, waIdOf } from "./ingest.ts"
import { type Client, formatStatuses, makeClient, openLoop, type Prepared } from "./load.ts"

export interface FailoverOptions {
  readonly ratePerSecond: number
  readonly seconds: number
  /** When, after the load started, the gateway is killed. */
  readonly killAfterMs: number
  readonly timeoutMs: number
}

export interface FailoverFigures {
  readonly victim: string
  readonly victimPartitions: number
  readonly survivor: string
  /** Kill → the survivor owns every partition (admin view, polled every 50 ms). */
  readonly ownedAllMs: number
  /** Kill → the probe webhook answered 200 by the survivor. */
  readonly probeAckedMs: number
  /** Kill → the probe message listed by the survivor's API (polled every 50 ms). */
  readonly probeVisibleMs: number
  readonly probePartition: number
  readonly load: string
  readonly acknowledged: number
  /** Rows of the load's messages once all acknowledged ones were committed (or the timeout). */
  readonly committed: number
  readonly allCommitted: boolean
}

const FIRST_LOAD_RESIDENT = 42_000_000
const FIRST_PROBE_RESIDENT = 43_000_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One text message from `waId`, signed; its provider message id is returned with it. */
function textFrom(waId: string, text: string): { readonly webhook: Prepared; readonly providerMessageId: string } {
  const message = fixtures.textMessage({ from: waId, body: text })
  const webhook = prepare(fixtures.webhookBody({ contacts: [fixtures.contact({ waId, name: "Inwoner (probe)" })], messages: [message] }))
  return { webhook, providerMessageId: String(message.id) }
}

/** A resident whose conversation lives on one of `partitionsOwned`. */
function residentOn(partitionsOwned: ReadonlySet<number>, partitions: number): { readonly waId: string; readonly partition: number } {
  for (let n = FIRST_PROBE_RESIDENT; ; n++) {
    const waId = waIdOf(n)
    const partition = placeEvent(eventOf(textFrom(waId, "").webhook), partitions)
    if (partitionsOwned.has(partition)) return { waId, partition }
  }
}

/** Posts `webhook` until it is answered 200 (a failed try is repeated after 50 ms); the time of the 200. */
async function postUntilAcknowledged(client: Client, webhook: Prepared, timeoutMs: number): Promise<number> {
  const start = performance.now()
  while (performance.now() - start < timeoutMs) {
    const answer = await client.post(webhook).catch(() => undefined)
    if (answer?.status === 200) return performance.now()
    await sleep(50)
  }
  return Number.NaN
}

/** Polls the API every 50 ms until the conversation lists the message; the time it did. */
async function waitUntilListed(url: string, conversationId: string, providerMessageId: string, timeoutMs: number): Promise<number> {
  const start = performance.now()
  while (performance.now() - start < timeoutMs) {
    const res = await fetch(`${url}/api/v1/conversations/${conversationId}/messages?limit=200`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    const page = res.status === 200 ? ((await res.json()) as { items: Array<{ providerMessageId: string }> }) : { items: [] }
    if (page.items.some((m) => m.providerMessageId === providerMessageId)) return performance.now()
    await sleep(50)
  }
  return Number.NaN
}

/** Waits until `read` gives a value (polled every 50 ms). */
async function eventually<A>(read: () => Promise<A | undefined>, timeoutMs: number): Promise<A> {
  const start = performance.now()
  while (performance.now() - start < timeoutMs) {
    const value = await read()
    if (value !== undefined) return value
    await sleep(50)
  }
  throw new Error(`not there after ${timeoutMs} ms`)
}

/** The gateway not leading (the first one if none leads), the other, and the partitions the first owns. */
async function pickVictim(gateways: ReadonlyArray<ClusterGateway>) {
  const views = await Promise.all(gateways.map((g) => clusterView(g.url)))
  const index = Math.max(0, views.findIndex((v) => !v.leader))
  return { victim: gateways[index]!, survivor: gateways[1 - index]!, owned: new Set(views[index]!.owned) }
}

export async function failover(cluster: ClusterUnderTest, counter: PgCounter, options: FailoverOptions, log: (line: string) => void): Promise<FailoverFigures> {
  const { victim, survivor, owned } = await pickVictim(cluster.gateways)
  const probe = residentOn(owned, cluster.partitions)
  const victimClient = makeClient(victim.url, "/webhooks/whatsapp", 64)
  const survivorClient = makeClient(survivor.url, "/webhooks/whatsapp", 64)
  const load = roundRobin([survivorClient, victimClient])
  try {
    // The probe resident's conversation exists before the kill: a first message through the victim.
    const before = textFrom(probe.waId, "Goedemiddag, ik heb een vraag over mijn afvalpas.")
    if ((await victimClient.post(before.webhook)).status !== 200) throw new Error("the probe's first message was refused")
    const conversationId = await eventually(() => counter.conversationOf(probe.waId), 30_000)
    const after = textFrom(probe.waId, "Is mijn vraag over de afvalpas al binnengekomen?")

    const bodies = singleMessageWebhooks(options.ratePerSecond * options.seconds, FIRST_LOAD_RESIDENT)
    const base = await counter.count()
    log(`failover: ${options.ratePerSecond}/s for ${options.seconds} s over both; kill -9 of ${victim.instanceId} (not leading, ${owned.size} partitions) after ${options.killAfterMs / 1000} s`)
    const loading = openLoop(load, bodies, 1000 / options.ratePerSecond, options.seconds * 1000 + 5_000)
    await sleep(options.killAfterMs)

    const killedAt = performance.now()
    load.drop(victimClient)
    victim.child.kill("SIGKILL")
    const [ownedAllAt, probeAckedAt, probeVisibleAt] = await Promise.all([
      waitForViews([survivor.url], ([view]) => view!.owned.length === cluster.partitions, options.timeoutMs, 50),
      postUntilAcknowledged(survivorClient, after.webhook, options.timeoutMs),
      waitUntilListed(survivor.url, conversationId, after.providerMessageId, options.timeoutMs)
    ])
    const result = await loading
    await victim.kill()

    // Every acknowledged webhook of the load, and the probe, should become a row.
    const acknowledged = result.statuses.get(200) ?? 0
    const allCommitted = (await counter.waitFor(base + acknowledged + 1, options.timeoutMs)) !== undefined
    const committed = (await counter.count()) - base - 1
    const loadSummary = `sent ${result.sendLag.length}, ${formatStatuses(result.statuses)}${result.errors > 0 ? `, errors×${result.errors} (in flight to the killed one: ${result.firstError})` : ""}`
    return {
      victim: victim.instanceId,
      victimPartitions: owned.size,
      survivor: survivor.instanceId,
      ownedAllMs: (ownedAllAt ?? Number.NaN) - killedAt,
      probeAckedMs: probeAckedAt - killedAt,
      probeVisibleMs: probeVisibleAt - killedAt,
      probePartition: probe.partition,
      load: loadSummary,
      acknowledged,
      committed,
      allCommitted
    }
  } finally {
    load.close()
  }
}
