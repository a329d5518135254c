/**
 * kill -9 during a burst of SMS webhooks: every post answered 200 must be stored exactly once
 * after a restart, and Twilio's retries of the rest add each once.
 */
import { afterAll, describe, it } from "vitest"
import type { ChildGateway } from "../support/gateway.ts"
import { killMidBurst } from "../support/kill-mid-burst.ts"
import { inboundSms, postTwilio, smsEnv } from "../support/sms.ts"

const children: Array<ChildGateway> = []
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) await child.kill()
})

describe("SMS under kill -9", () => {
  it("loses no acknowledged SMS and doubles none", () =>
    killMidBurst({
      env: smsEnv(),
      webhooks: Array.from({ length: 3000 }, (_, n) => inboundSms(`+3161${String(2_000_000 + (n % 89)).padStart(7, "0")}`, `melding ${n}`)),
      post: postTwilio,
      keysOf: (sms) => [`sms:msg:${sms.MessageSid}`],
      prefix: "sms:",
      killAfter: 300,
      timeoutMs: 30_000
    }, children), 120_000)
})
