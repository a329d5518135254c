import { describe, expect, it } from "vitest"
import { Cause, Effect, Schedule } from "effect"
import { type ActorBehavior, makeActorHost } from "./ActorHost.ts"

const options = { mailboxSize: 4, idleTimeoutMs: 50, retry: Schedule.recurs(2) }

const run = <A>(effect: Effect.Effect<A, unknown, import("effect").Scope.Scope>) => Effect.runPromise(Effect.scoped(effect))

describe("ActorHost", () => {
  it("delivers every message of a key in order, one at a time, more than a mailbox holds", async () => {
    const seen = new Map<string, Array<number>>()
    let inFlight = 0
    let overlap = false
    const behavior: ActorBehavior<null, number> = {
      activate: () => Effect.succeed(null),
      receive: (state, n, key) =>
        Effect.gen(function*() {
          inFlight++
          if (inFlight > 2) overlap = true // two keys may run together, never two of one key
          yield* Effect.sleep(1)
          seen.set(key, [...(seen.get(key) ?? []), n])
          inFlight--
          return state
        }),
      onFailure: () => Effect.void
    }
    await run(Effect.gen(function*() {
      const host = yield* makeActorHost(behavior, options)
      for (let i = 0; i < 20; i++) {
        yield* host.tell("a", i)
        yield* host.tell("b", 100 + i)
      }
      yield* Effect.sleep(200)
    }))
    expect(seen.get("a")).toEqual([...Array(20).keys()])
    expect(seen.get("b")).toEqual([...Array(20).keys()].map((i) => 100 + i))
    expect(overlap).toBe(false)
  })

  it("passivates idle actors and reactivates them with fresh state on the next message", async () => {
    let activations = 0
    const behavior: ActorBehavior<number, string> = {
      activate: () => Effect.sync(() => ++activations),
      receive: (s) => Effect.succeed(s),
      onFailure: () => Effect.void
    }
    const counts = await run(Effect.gen(function*() {
      const host = yield* makeActorHost(behavior, options)
      for (let i = 0; i < 100; i++) yield* host.tell(`k${i}`, "hi")
      yield* Effect.sleep(10)
      const busy = host.active()
      yield* Effect.sleep(150)
      const idle = host.active()
      yield* host.tell("k1", "again")
      yield* Effect.sleep(10)
      return { busy, idle, after: host.active() }
    }))
    expect(counts).toEqual({ busy: 100, idle: 0, after: 1 })
    expect(activations).toBe(101)
  })

  it("hands a message that keeps failing to onFailure with its cause and carries on", async () => {
    const handled: Array<string> = []
    const failed: Array<{ message: string; cause: string }> = []
    let attempts = 0
    const behavior: ActorBehavior<null, string> = {
      activate: () => Effect.succeed(null),
      receive: (state, message) =>
        message === "poison"
          ? Effect.sync(() => attempts++).pipe(Effect.andThen(Effect.die(new Error("constraint failed"))))
          : Effect.sync(() => {
            handled.push(message)
            return state
          }),
      onFailure: (_key, message, cause) => Effect.sync(() => failed.push({ message, cause: Cause.pretty(cause) }))
    }
    await run(Effect.gen(function*() {
      const host = yield* makeActorHost(behavior, options)
      yield* host.tell("a", "one")
      yield* host.tell("a", "poison")
      yield* host.tell("a", "two")
      yield* Effect.sleep(100)
    }))
    expect(handled).toEqual(["one", "two"])
    expect(attempts).toBe(3)
    expect(failed).toHaveLength(1)
    expect(failed[0]!.message).toBe("poison")
    expect(failed[0]!.cause).toContain("constraint failed")
  })
})
