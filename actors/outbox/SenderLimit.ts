/**
 * The per-number send limit, kept as Meta counts it: at most `perSecond` messages received in
 * any second. Send k may start only once send k − perSecond has been answered at least a
 * second ago. Meta received that one before it answered, so the two arrive more than a second
 * apart whatever the network and the event loop do in between. (Effect's RateLimiter offers
 * fixed windows and token buckets, which let up to twice the limit through in a sliding second.)
 * The price: with Meta answering in r ms, a number sends at most perSecond × 1000 / (1000 + r)
 * per second. A 130429 answer pauses the number for a while.
 */
export interface SenderLimit {
  /** Reserves a send now (answers its slot), or says how many milliseconds to wait. */
  readonly acquire: (sender: string, now: number) => { readonly slot: number } | { readonly waitMs: number }
  /** The send in `slot` was answered (or given up on) at `now`. */
  readonly complete: (sender: string, slot: number, now: number) => void
  /** No sends from `sender` before `until`. */
  readonly pause: (sender: string, until: number) => void
}

/** A second, and a millisecond for clock and timer granularity. Times are `performance.now()` (monotonic, sub-millisecond). */
export const WINDOW_MS = 1001
/** How often to look again while the send a slot waits for is still in flight. */
const IN_FLIGHT_POLL_MS = 2

export function makeSenderLimit(perSecond: number): SenderLimit {
  const senders = new Map<string, { times: Float64Array; next: number; pausedUntil: number }>()
  const of = (sender: string) => {
    let state = senders.get(sender)
    if (state === undefined) {
      // A ring of the last `perSecond` sends' answer times: -Infinity = none yet, +Infinity = in flight.
      state = { times: new Float64Array(perSecond).fill(-Infinity), next: 0, pausedUntil: 0 }
      senders.set(sender, state)
    }
    return state
  }
  return {
    acquire: (sender, now) => {
      const state = of(sender)
      const oldest = state.times[state.next]!
      const waitMs = oldest === Infinity ? IN_FLIGHT_POLL_MS : Math.max(0, oldest + WINDOW_MS - now, state.pausedUntil - now)
      if (waitMs > 0) return { waitMs }
      const slot = state.next
      state.times[slot] = Infinity
      state.next = (slot + 1) % perSecond
      return { slot }
    },
    complete: (sender, slot, now) => {
      of(sender).times[slot] = now
    },
    pause: (sender, until) => {
      const state = of(sender)
      state.pausedUntil = Math.max(state.pausedUntil, until)
    }
  }
}
