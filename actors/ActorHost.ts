/**
 * Hosts actors: per key, one mailbox and at most one fiber draining it — the single writer of
 * what the key names. An actor without messages has no fiber, only its state (small); idle
 * states are passivated (dropped) after `idleTimeoutMs`, so memory stays flat with many keys.
 * Supervised: a message that keeps failing is handed to `onFailure` (which parks it with its
 * cause) and the actor carries on with fresh state.
 */
import { nowMillis } from "../domain/time.ts"
import { Cause, Duration, Effect, Schedule, Scope } from "effect"

export interface ActorBehavior<S, M> {
  /** Loads the actor's state (for a conversation: from the database); `first` is the message that woke it. */
  readonly activate: (key: string, first: M) => Effect.Effect<S, unknown>
  /** Handles one message; returns the next state. */
  readonly receive: (state: S, message: M, key: string) => Effect.Effect<S, unknown>
  /** Called once retries are exhausted: record the cause, never drop silently. */
  readonly onFailure: (key: string, message: M, cause: Cause.Cause<unknown>) => Effect.Effect<void>
}

export interface ActorHostOptions {
  readonly mailboxSize: number
  readonly idleTimeoutMs: number
  /** Retries of a failing message before `onFailure`. */
  readonly retry: Schedule.Schedule<unknown, unknown>
}

export interface ActorHost<M> {
  /** Delivers `message` to the actor of `key`, activating it if needed; waits while its mailbox is full. */
  readonly tell: (key: string, message: M) => Effect.Effect<void>
  /** How many actors are in memory now. */
  readonly active: () => number
  /**
   * Drops every actor's state (cluster mode: partitions moved to another instance, which may
   * change them); each one's next message loads it afresh.
   */
  readonly forget: () => void
}

interface Actor<S, M> {
  state: S | undefined
  readonly mailbox: Array<M>
  /** A fiber is draining the mailbox. */
  running: boolean
  lastActive: number
  /** Set by `forget` while a message is being handled: the state is dropped after it. */
  stale: boolean
}

/** Five attempts in about a third of a second, with jitter: long enough for a locked database to free up. */
export const defaultRetry = Schedule.exponential("20 millis", 2).pipe(Schedule.jittered, Schedule.upTo({ times: 4 }))

/** How long a teller waits before looking again at a full mailbox. */
const FULL_MAILBOX_POLL = Duration.millis(1)

export const makeActorHost = <S, M>(
  behavior: ActorBehavior<S, M>,
  options: ActorHostOptions
): Effect.Effect<ActorHost<M>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const actors = new Map<string, Actor<S, M>>()

    const handle = (state: S, message: M, key: string) =>
      behavior.receive(state, message, key).pipe(
        // A thrown error (a defect, e.g. SQLITE_BUSY from a sync driver) is retried like a failure.
        Effect.catchDefect(Effect.fail),
        Effect.retry(options.retry),
        Effect.catchCause((cause) =>
          behavior.onFailure(key, message, cause).pipe(
            // Whatever the handler left half done, the next message starts from the database.
            Effect.as(undefined as S | undefined),
            Effect.catchCause(() => Effect.succeed(undefined as S | undefined))
          )
        )
      )

    const activate = (key: string, first: M) =>
      behavior.activate(key, first).pipe(
        Effect.catchDefect(Effect.fail),
        Effect.retry(options.retry),
        Effect.catchCause(() => Effect.succeed(undefined as S | undefined))
      )

    /** Handles the mailbox until it is empty; then the fiber ends and only the state stays. */
    const drain = (key: string, actor: Actor<S, M>) =>
      Effect.gen(function*() {
        while (actor.mailbox.length > 0) {
          const message = actor.mailbox.shift()!
          if (actor.state === undefined) actor.state = yield* activate(key, message)
          if (actor.state === undefined) {
            yield* behavior.onFailure(key, message, Cause.die(new Error(`actor ${key} could not be activated`)))
            continue
          }
          actor.state = (yield* handle(actor.state, message, key)) as S | undefined
          if (actor.stale) {
            actor.state = undefined
            actor.stale = false
          }
        }
        // Checked and cleared in one synchronous step: a tell after this starts a new fiber.
        actor.running = false
        actor.lastActive = yield* nowMillis
      }).pipe(
        Effect.onInterrupt(() => Effect.sync(() => void (actor.running = false)))
      )

    const tell = (key: string, message: M): Effect.Effect<void> =>
      Effect.flatMap(nowMillis, (now) => {
        let actor = actors.get(key)
        if (actor === undefined) {
          actor = { state: undefined, mailbox: [], running: false, lastActive: now, stale: false }
          actors.set(key, actor)
        }
        if (actor.mailbox.length >= options.mailboxSize) {
          return Effect.sleep(FULL_MAILBOX_POLL).pipe(Effect.andThen(tell(key, message)))
        }
        actor.mailbox.push(message)
        if (actor.running) return Effect.void
        actor.running = true
        return Effect.forkIn(drain(key, actor), scope).pipe(Effect.asVoid)
      })

    // Passivation: states idle for longer than the timeout are dropped.
    const sweep = Effect.map(nowMillis, (now) => {
      const before = now - options.idleTimeoutMs
      for (const [key, actor] of actors) {
        if (!actor.running && actor.mailbox.length === 0 && actor.lastActive <= before) actors.delete(key)
      }
    })
    yield* sweep.pipe(
      Effect.repeat(Schedule.spaced(Duration.millis(Math.max(10, Math.min(1000, options.idleTimeoutMs / 2))))),
      Effect.forkIn(scope)
    )

    const forget = () => {
      for (const actor of actors.values()) {
        if (actor.running) actor.stale = true
        else actor.state = undefined
      }
    }

    return { tell, active: () => actors.size, forget }
  })
