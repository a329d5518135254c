/**
 * kill -9 during a burst of Messenger and of Instagram webhooks: every message in a webhook
 * answered 200 is stored exactly once after a restart, and Meta's redelivery of the rest (and
 * repeats of what was acknowledged) adds each once. Messenger's webhooks carry two messages each
 * (Meta batches): an acknowledged batch is stored whole.
 */
import { afterAll, describe, it } from "vitest"
import type { ChildGateway } from "../support/gateway.ts"
import { killMidBurst } from "../support/kill-mid-burst.ts"
import { fromResident, IG_ACCOUNT_ID, instagramEnv, messengerEnv, mid, postMeta, webhook } from "../support/meta-messaging.ts"

const children: Array<ChildGateway> = []
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) await child.kill()
})

function burst(channel: "messenger" | "instagram", perWebhook: number) {
  const object = channel === "messenger" ? "page" : "instagram"
  const account = channel === "messenger" ? {} : { account: IG_ACCOUNT_ID }
  const webhooks = Array.from({ length: 1500 }, (_, n) => {
    const items = Array.from({ length: perWebhook }, (_, i) =>
      fromResident(String(6_100_000_000_000_000 + ((n * perWebhook + i) % 97)), { message: { mid: mid(channel === "messenger" ? "m_" : "aWdf"), text: `melding ${n}.${i}` } }, account))
    return { body: webhook(object, items), keys: items.map((item) => `${channel}:msg:${(item as unknown as { message: { mid: string } }).message.mid}`) }
  })
  return killMidBurst({
    env: { ...messengerEnv(), ...instagramEnv() },
    webhooks,
    post: (url, hook) => postMeta(url, channel, hook.body),
    keysOf: (hook) => hook.keys,
    prefix: `${channel}:`,
    killAfter: 200,
    timeoutMs: 60_000
  }, children)
}

describe("Messenger and Instagram under kill -9", () => {
  it("Messenger: loses no acknowledged batch and doubles none", () => burst("messenger", 2), 180_000)
  it("Instagram: loses no acknowledged message and doubles none", () => burst("instagram", 1), 180_000)
})
