import { describe, expect, it } from "vitest"
import { fnv1a32, partitionOf } from "./partitionOf.ts"

/** Deterministic stand-ins for contact ids (`ctc_` + 26 base-32 characters), from a seeded generator. */
function contactIds(count: number): Array<string> {
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
  let state = 0x2545f491
  const next = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) % 32
  }
  return Array.from({ length: count }, () => `ctc_${Array.from({ length: 26 }, () => alphabet[next()]).join("")}`)
}

function spread(keys: ReadonlyArray<string>, partitions: number) {
  const counts = new Array<number>(partitions).fill(0)
  for (const key of keys) counts[partitionOf(key, partitions)]!++
  const mean = keys.length / partitions
  return { min: Math.min(...counts) / mean, max: Math.max(...counts) / mean }
}

describe("partitionOf", () => {
  it("is FNV-1a 32-bit over UTF-8 (the published test vectors)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5)
    expect(fnv1a32("a")).toBe(0xe40c292c)
    expect(fnv1a32("foobar")).toBe(0xbf9cf968)
  })

  it("is stable across runs: pinned values", () => {
    expect(partitionOf("whatsapp|106540352242922|4b1e6a0e-5d0b-4f2e-9a3c-2f1c8f0d9e11", 64)).toBe(8)
    expect(partitionOf("whatsapp|106540352242922|c0ffee00-0000-4000-8000-000000000001", 64)).toBe(44)
    expect(partitionOf("whatsapp|106540352242922|c0ffee00-0000-4000-8000-000000000001", 16)).toBe(12)
    expect(partitionOf("telegram|loket_bot|42", 64)).toBe(11)
    // Non-ASCII keys hash their UTF-8 bytes, as other languages' FNV-1a would.
    expect(fnv1a32("whatsapp|1|é")).toBe(2873032164)
  })

  it("spreads 10,000 conversation keys evenly: every partition within ±25 % of the mean", () => {
    const realistic = contactIds(10_000).map((contact) => `whatsapp|106540352242922|${contact}`)
    const sequential = Array.from({ length: 10_000 }, (_, i) => `whatsapp|31612345678|contact-${i}`)
    for (const keys of [realistic, sequential]) {
      for (const partitions of [16, 64]) {
        const { min, max } = spread(keys, partitions)
        expect(min).toBeGreaterThanOrEqual(0.75)
        expect(max).toBeLessThanOrEqual(1.25)
      }
    }
  })
})
