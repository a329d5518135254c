/**
 * kill -9 during a burst of Telegram updates: every update answered 200 must be stored
 * exactly once after a restart, and Telegram's redelivery of the rest adds each once.
 */
import { afterAll, describe, it } from "vitest"
import type { ChildGateway } from "../support/gateway.ts"
import { killMidBurst } from "../support/kill-mid-burst.ts"
import { messageUpdate, postUpdate, telegramEnv } from "../support/telegram.ts"

const children: Array<ChildGateway> = []
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) await child.kill()
})

describe("Telegram under kill -9", () => {
  it("loses no acknowledged update and doubles none", () =>
    killMidBurst({
      env: telegramEnv(),
      webhooks: Array.from({ length: 3000 }, (_, n) => messageUpdate({ chatId: 500_000 + (n % 89) }, { text: `melding ${n}` }, { updateId: 10_000_000 + n })),
      post: postUpdate,
      keysOf: (u) => [`telegram:update:${u.update_id}`],
      prefix: "telegram:",
      killAfter: 300,
      timeoutMs: 30_000
    }, children), 120_000)
})
