/**
 * The per-number send limit, exact over any 1-second window: a send is allowed when the
 * limit-th previous send was at least a second (and a 15 ms margin) ago. (Effect's RateLimiter offers fixed
 * windows and token buckets; both let up to twice the limit through in a sliding second, and
 * Meta counts per second.) A 130429 answer pauses the number for a while.
 */
export interface SenderLimit {
  /** Milliseconds to wait before the next send from `sender`; 0 = now. */
  readonly delay: (sender: string, now: number) => number
  /** Records a send at `now`. */
  readonly record: (sender: string, now: number) => void
  /** No sends from `sender` before `until`. */
  readonly pause: (sender: string, until: number) => void
}

/** A second, plus a margin for jitter between here and Meta (requests do not arrive exactly as sent). */
export const WINDOW_MS = 1015

export function makeSenderLimit(perSecond: number): SenderLimit {
  const senders = new Map<string, { times: Float64Array; next: number; pausedUntil: number }>()
  const of = (sender: string) => {
    let state = senders.get(sender)
    if (state === undefined) {
      // A ring of the last `perSecond` send times; -Infinity = no send yet.
      state = { times: new Float64Array(perSecond).fill(-Infinity), next: 0, pausedUntil: 0 }
      senders.set(sender, state)
    }
    return state
  }
  return {
    delay: (sender, now) => {
      const state = of(sender)
      const oldest = state.times[state.next]!
      return Math.max(0, oldest + WINDOW_MS - now, state.pausedUntil - now)
    },
    record: (sender, now) => {
      const state = of(sender)
      state.times[state.next] = now
      state.next = (state.next + 1) % perSecond
    },
    pause: (sender, until) => {
      const state = of(sender)
      state.pausedUntil = Math.max(state.pausedUntil, until)
    }
  }
}
