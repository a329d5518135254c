import { describe, expect, it } from "vitest"
import { makeSenderLimit, WINDOW_MS } from "./SenderLimit.ts"

/** Sends as fast as the limit allows for `ms` of simulated time; returns the send times. */
function simulate(perSecond: number, ms: number): Array<number> {
  const limit = makeSenderLimit(perSecond)
  const times: Array<number> = []
  let now = 0
  while (now < ms) {
    const wait = limit.delay("a", now)
    if (wait > 0) {
      now += Math.ceil(wait)
      continue
    }
    limit.record("a", now)
    times.push(now)
    if (limit.delay("a", now) > 0) now += 1
  }
  return times
}

const maxInAnySecond = (times: Array<number>) => {
  let max = 0
  let start = 0
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= 1000) start++
    max = Math.max(max, end - start + 1)
  }
  return max
}

describe("SenderLimit", () => {
  it("never lets more than the limit through in any 1-second window, and reaches the limit", () => {
    for (const perSecond of [1, 80, 1000]) {
      const times = simulate(perSecond, 5000)
      expect(maxInAnySecond(times)).toBe(perSecond)
      expect(times.length).toBeGreaterThanOrEqual(Math.floor(perSecond * 5 * 1000 / WINDOW_MS))
      expect(times.length).toBeLessThanOrEqual(perSecond * 5 + perSecond)
    }
  })

  it("keeps numbers apart and honours a pause", () => {
    const limit = makeSenderLimit(1)
    limit.record("a", 0)
    expect(limit.delay("a", 10)).toBe(WINDOW_MS - 10)
    expect(limit.delay("b", 10)).toBe(0)
    limit.pause("b", 5000)
    expect(limit.delay("b", 10)).toBe(4990)
  })
})
