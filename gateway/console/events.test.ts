import { describe, expect, it } from "vitest"
import { Effect, Fiber, Queue, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { SequencedEvent } from "../../actors/Events.ts"
import { consoleSignals, SIGNAL_MS } from "./events.ts"

let seq = 0
const message = (conversationId: string): SequencedEvent =>
  ({ id: ++seq, event: { type: "message.created", data: { conversationId } } } as unknown as SequencedEvent)
const assigned = (id: string): SequencedEvent =>
  ({ id: ++seq, event: { type: "conversation.assigned", data: { id } } } as unknown as SequencedEvent)

/** Feeds `steps` (events, then the clock moved by `ms`) and returns the signals written after each step. */
const run = (steps: ReadonlyArray<{ events: ReadonlyArray<SequencedEvent>; ms: number }>) =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<SequencedEvent>()
    const seen: Array<ReadonlyArray<string>> = []
    const fiber = yield* Stream.fromQueue(queue).pipe(consoleSignals, Stream.runForEach((names) => Effect.sync(() => void seen.push(names))), Effect.forkChild)
    const after: Array<number> = []
    for (const step of steps) {
      yield* Queue.offerAll(queue, step.events)
      yield* Effect.yieldNow
      yield* TestClock.adjust(step.ms)
      after.push(seen.length)
    }
    yield* Fiber.interrupt(fiber)
    return { seen, after }
  }).pipe(Effect.provide(TestClock.layer()), Effect.runPromise)

describe("the console's live signals", () => {
  it("says each changed conversation once and `list` once for a burst", async () => {
    const { seen } = await run([{ events: [message("cnv_a"), message("cnv_a"), assigned("cnv_b"), message("cnv_a")], ms: SIGNAL_MS }])
    expect(seen).toEqual([["c-cnv_a", "c-cnv_b", "list"]])
  })

  it("keeps refreshing the list while changes come faster than the gathering time", async () => {
    // A busy contact centre: a change every 100 ms for 2 s. A page-side debounce of 250 ms would fire only after it ends.
    const steps = Array.from({ length: 20 }, (_, i) => ({ events: [message(`cnv_${i % 3}`)], ms: 100 }))
    const { seen, after } = await run(steps)
    const lists = seen.filter((names) => names.includes("list")).length
    expect(lists).toBeGreaterThanOrEqual(2000 / (2 * SIGNAL_MS))
    // Never twice the gathering time (500 ms: 5 steps) without a signal while changes come.
    for (let i = 5; i < after.length; i++) expect(after[i]!).toBeGreaterThan(after[i - 5]!)
  })

  it("says nothing for events that name no conversation", async () => {
    const template = { id: ++seq, event: { type: "template.updated", data: { name: "x" } } } as unknown as SequencedEvent
    const { seen } = await run([{ events: [template], ms: SIGNAL_MS * 4 }])
    expect(seen).toEqual([])
  })
})
