import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { readClusterConfig } from "./ClusterConfig.ts"

const failure = (env: Record<string, string>) => {
  const exit = Effect.runSyncExit(readClusterConfig(env))
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return String(exit.cause)
}

describe("ClusterConfig", () => {
  it("has defaults, and a unique instance id per start", () => {
    const first = Effect.runSync(readClusterConfig({}))
    const second = Effect.runSync(readClusterConfig({}))
    expect(first).toMatchObject({ namespace: "loket", partitions: 64, replicas: 1 })
    expect(first.instanceId).toMatch(/^[A-Za-z0-9_-]+-[0-9a-f]{8}$/)
    expect(second.instanceId).not.toBe(first.instanceId)
  })

  it("reads the variables", () => {
    const env = { LOKET_NATS_NAMESPACE: "gemeente_x", LOKET_PARTITIONS: "16", LOKET_NATS_REPLICAS: "3", LOKET_INSTANCE_ID: "gw-1.zone-a" }
    expect(Effect.runSync(readClusterConfig(env)))
      .toEqual({ namespace: "gemeente_x", partitions: 16, replicas: 3, instanceId: "gw-1.zone-a" })
  })

  it("names the variable of a bad value in one line", () => {
    expect(failure({ LOKET_PARTITIONS: "0" })).toMatch(/Invalid configuration: LOKET_PARTITIONS: .*between 1 and 4096/)
    expect(failure({ LOKET_NATS_NAMESPACE: "a.b" })).toMatch(/Invalid configuration: LOKET_NATS_NAMESPACE: letters, digits/)
    expect(failure({ LOKET_INSTANCE_ID: "gw 1" })).toMatch(/Invalid configuration: LOKET_INSTANCE_ID: /)
    expect(failure({ LOKET_NATS_REPLICAS: "7" })).toMatch(/LOKET_NATS_REPLICAS/)
  })
})
