/**
 * Meta's pair limit, kept per resident (sender and recipient): a token bucket of `burst` messages that
 * refills one every `intervalMs` (about one message per 6 s to one resident, after a burst). The same
 * arithmetic as Effect's in-memory token bucket (effect/persistence/RateLimiter), which the dispatcher
 * used before: plain and synchronous here, since it runs for every send, and without keeping a bucket
 * for every resident ever written to (a full bucket is the same as none, so those are dropped).
 */
export interface PairLimit {
  /** Takes a message from `key`'s bucket at `now` (ms) and answers 0, or says how many ms until one is there (nothing taken). */
  readonly take: (key: string, now: number) => number
  /** Residents whose bucket is not full (for tests). */
  readonly size: () => number
}

/** Buckets kept before the full ones are swept out (then twice what is left, at least this). */
const SWEEP_FROM = 4096

export function makePairLimit(burst: number, intervalMs: number): PairLimit {
  const buckets = new Map<string, { tokens: number; lastRefill: number }>()
  let sweepAt = SWEEP_FROM
  const refill = (bucket: { tokens: number; lastRefill: number }, now: number) => {
    const add = Math.floor((now - bucket.lastRefill) / intervalMs)
    if (add > 0) {
      bucket.tokens = Math.min(burst, bucket.tokens + add)
      bucket.lastRefill += add * intervalMs
    }
    if (bucket.tokens >= burst) bucket.lastRefill = now
  }
  const sweep = (now: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, now)
      if (bucket.tokens >= burst) buckets.delete(key)
    }
    sweepAt = Math.max(SWEEP_FROM, 2 * buckets.size)
  }
  return {
    take: (key, now) => {
      let bucket = buckets.get(key)
      if (bucket === undefined) {
        if (buckets.size >= sweepAt) sweep(now)
        bucket = { tokens: burst, lastRefill: now }
        buckets.set(key, bucket)
      }
      refill(bucket, now)
      if (bucket.tokens >= 1) {
        bucket.tokens--
        return 0
      }
      return Math.max(1, intervalMs - (now - bucket.lastRefill))
    },
    size: () => buckets.size
  }
}
