import { describe, expect, it } from "vitest"
import { fairShare, leaseTiming, partitionKey, partitionOfKey, planRound, preferenceOrder } from "./plan.ts"

const none = new Set<number>()

describe("plan", () => {
  it("renews every TTL/3 and self-fences TTL/5 before the TTL", () => {
    expect(leaseTiming(5000)).toEqual({ ttlMs: 5000, renewEveryMs: 1666, marginMs: 1000 })
  })

  it("names lease keys p.<n>, and reads them back", () => {
    expect(partitionKey(7)).toBe("p.7")
    expect(partitionOfKey("p.7")).toBe(7)
    expect(partitionOfKey("leader")).toBeUndefined()
  })

  it("fair share rounds up, so the live instances can hold every partition", () => {
    expect(fairShare(8, 3)).toBe(3)
    expect(fairShare(8, 1)).toBe(8)
    expect(fairShare(8, 0)).toBe(8)
  })

  it("each instance prefers its own starting point, and covers every partition", () => {
    const order = preferenceOrder("gw-1", 8)
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(preferenceOrder("gw-1", 8)).toEqual(order)
  })

  it("acquires free partitions up to the fair share, in order of preference", () => {
    const preference = [5, 6, 7, 0, 1, 2, 3, 4]
    const plan = planRound({ partitions: 8, live: 2, preference, held: new Set([5]), releasing: none, taken: new Set([5, 6, 0]) })
    expect(plan).toEqual({ release: [], acquire: [7, 1, 2] })
  })

  it("releases the least preferred partitions above the fair share, not those already on their way out", () => {
    const preference = [0, 1, 2, 3, 4, 5, 6, 7]
    const all = new Set(preference)
    expect(planRound({ partitions: 8, live: 2, preference, held: all, releasing: none, taken: all }))
      .toEqual({ release: [7, 6, 5, 4], acquire: [] })
    expect(planRound({ partitions: 8, live: 2, preference, held: all, releasing: new Set([7, 6]), taken: all }))
      .toEqual({ release: [5, 4], acquire: [] })
    expect(planRound({ partitions: 8, live: 2, preference, held: all, releasing: new Set([7, 6, 5, 4]), taken: all }))
      .toEqual({ release: [], acquire: [] })
  })
})
