import { describe, expect, it } from "vitest"
import { makeSenderLimit, WINDOW_MS } from "./SenderLimit.ts"

/**
 * Sends as fast as the limit allows for `ms` of simulated time. Each request reaches Meta after
 * a random 0–`jitter` ms and is answered `rtt` ms after it was sent; returns the arrival times.
 */
function simulate(perSecond: number, ms: number, rtt: number, jitter: number): Array<number> {
  const limit = makeSenderLimit(perSecond)
  const arrivals: Array<number> = []
  const answers: Array<{ at: number; slot: number }> = []
  let now = 0
  while (now < ms) {
    for (const answer of answers.filter((a) => a.at <= now)) limit.complete("a", answer.slot, answer.at)
    answers.splice(0, answers.length, ...answers.filter((a) => a.at > now))
    const got = limit.acquire("a", now)
    if ("waitMs" in got) {
      now += 1
      continue
    }
    const arrival = now + Math.random() * Math.min(jitter, rtt)
    arrivals.push(arrival)
    answers.push({ at: now + rtt, slot: got.slot })
  }
  return arrivals.sort((a, b) => a - b)
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
  it("never lets Meta receive more than the limit in any second, whatever the delay on the way", () => {
    for (const perSecond of [1, 80, 1000]) {
      for (const [rtt, jitter] of [[5, 5], [200, 150]] as const) {
        const arrivals = simulate(perSecond, 6000, rtt, jitter)
        expect(maxInAnySecond(arrivals), `${perSecond}/s, ${rtt} ms`).toBeLessThanOrEqual(perSecond)
        // and it gets close to the limit: perSecond × 1000 / (1000 + rtt) per second, less a little for the 1 ms steps
        expect(arrivals.length, `${perSecond}/s, ${rtt} ms`).toBeGreaterThanOrEqual(Math.floor(perSecond * 5 * 1000 / (1000 + rtt + 2)))
      }
    }
  })

  it("waits while the send a slot depends on is in flight, keeps numbers apart and honours a pause", () => {
    const limit = makeSenderLimit(1)
    const first = limit.acquire("a", 0)
    expect(first).toEqual({ slot: 0 })
    expect(limit.acquire("a", 5000)).toEqual({ waitMs: 2 }) // still in flight
    limit.complete("a", 0, 100)
    expect(limit.acquire("a", 600)).toEqual({ waitMs: WINDOW_MS - 500 })
    expect(limit.acquire("b", 600)).toEqual({ slot: 0 })
    limit.pause("c", 5000)
    expect(limit.acquire("c", 10)).toEqual({ waitMs: 4990 })
  })
})
