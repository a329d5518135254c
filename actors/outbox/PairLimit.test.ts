import { describe, expect, it } from "vitest"
import { makePairLimit } from "./PairLimit.ts"

describe("PairLimit", () => {
  it("lets a resident's burst through, then one message per interval, saying how long to wait", () => {
    const limit = makePairLimit(3, 6000)
    expect([limit.take("r1", 0), limit.take("r1", 10), limit.take("r1", 20)]).toEqual([0, 0, 0])
    expect(limit.take("r1", 1000)).toBe(5000) // the first token comes back 6 s after the bucket was last full
    expect(limit.take("r2", 1000)).toBe(0) // another resident has a bucket of its own
    expect(limit.take("r1", 5999)).toBe(1)
    expect(limit.take("r1", 6000)).toBe(0)
    expect(limit.take("r1", 6001)).toBe(5999)
    expect(limit.take("r1", 12_000)).toBe(0)
  })

  it("refills to the burst and no further after a quiet spell", () => {
    const limit = makePairLimit(2, 6000)
    limit.take("r", 0)
    limit.take("r", 0)
    const later = 10 * 60_000
    expect([limit.take("r", later), limit.take("r", later), limit.take("r", later)]).toEqual([0, 0, 6000])
  })

  it("does not keep a bucket for every resident ever written to: full ones are dropped", () => {
    const limit = makePairLimit(45, 6000)
    for (let i = 0; i < 20_000; i++) limit.take(`r${i}`, i) // one message each, a millisecond apart
    // Every bucket older than 6 s has refilled (full = as if never used) and went in a sweep.
    expect(limit.size()).toBeLessThan(12_000)
    // A resident at its limit keeps its bucket through the sweeps.
    const busy = makePairLimit(1, 6000)
    busy.take("busy", 0)
    for (let i = 0; i < 10_000; i++) busy.take(`r${i}`, 1)
    expect(busy.take("busy", 2)).toBe(5998)
  })
})
