/**
 * Hosts actors: one fiber with a bounded mailbox per key, the single writer of what the key
 * names. Actors are activated on the first message, passivated when idle (memory stays flat
 * with many keys), and supervised: a message that keeps failing is handed to `onFailure`
 * (which parks it with its cause) and the actor carries on with fresh state.
 */
import { Cause, Effect, Option, Queue, Schedule, Scope } from "effect"

export interface ActorBehavior<S, M> {
  /** Loads the actor's state (for a conversation: from the database). */
  readonly activate: (key: string) => Effect.Effect<S, unknown>
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
}

interface Actor<M> {
  readonly mailbox: Queue.Queue<M>
}

/** Five attempts in about a third of a second, with jitter: long enough for a locked database to free up. */
export const defaultRetry = Schedule.exponential("20 millis", 2).pipe(Schedule.jittered, Schedule.upTo({ times: 4 }))

export const makeActorHost = <S, M>(
  behavior: ActorBehavior<S, M>,
  options: ActorHostOptions
): Effect.Effect<ActorHost<M>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const actors = new Map<string, Actor<M>>()

    const handle = (state: S, message: M, key: string) =>
      behavior.receive(state, message, key).pipe(
        // A thrown error (a defect, e.g. SQLITE_BUSY from a sync driver) is retried like a failure.
        Effect.catchDefect(Effect.fail),
        Effect.retry(options.retry),
        Effect.catchCause((cause) =>
          behavior.onFailure(key, message, cause).pipe(
            Effect.andThen(behavior.activate(key)),
            Effect.catchCause(() => Effect.succeed(undefined as S | undefined))
          )
        )
      )

    const run = (key: string, actor: Actor<M>) =>
      Effect.gen(function*() {
        let state: S | undefined = undefined
        while (true) {
          const next = yield* Queue.take(actor.mailbox).pipe(Effect.timeoutOption(options.idleTimeoutMs))
          if (Option.isNone(next)) {
            // Passivate only when nothing is waiting; the check and the removal are one synchronous step.
            const idle = Queue.sizeUnsafe(actor.mailbox) === 0
            if (idle) {
              actors.delete(key)
              Queue.shutdownUnsafe(actor.mailbox)
              return
            }
            continue
          }
          if (state === undefined) {
            state = yield* behavior.activate(key).pipe(
              Effect.retry(options.retry),
              Effect.catchCause(() => Effect.succeed(undefined as S | undefined))
            )
            if (state === undefined) {
              yield* behavior.onFailure(key, next.value, Cause.die(new Error(`actor ${key} could not be activated`)))
              continue
            }
          }
          state = (yield* handle(state, next.value, key)) as S | undefined
        }
      }).pipe(
        // Whatever happens, an actor that ends leaves the map so the next message starts a new one.
        Effect.ensuring(Effect.sync(() => {
          if (actors.get(key) === actor) actors.delete(key)
        }))
      )

    const spawn = Effect.fnUntraced(function*(key: string) {
      const mailbox = yield* Queue.bounded<M>(options.mailboxSize)
      // Another tell may have spawned the actor while the mailbox was made: the check and set are one step.
      const existing = actors.get(key)
      if (existing !== undefined) return existing
      const actor: Actor<M> = { mailbox }
      actors.set(key, actor)
      yield* Effect.forkIn(run(key, actor), scope)
      return actor
    })

    const tell = (key: string, message: M): Effect.Effect<void> =>
      Effect.suspend(() => {
        const current = actors.get(key)
        if (current !== undefined && Queue.offerUnsafe(current.mailbox, message)) return Effect.void
        return (current === undefined ? spawn(key) : Effect.succeed(current)).pipe(
          // Full (wait for room) or passivated just now (offer answers false: start a new actor).
          Effect.flatMap((actor) => Queue.offer(actor.mailbox, message)),
          Effect.flatMap((accepted) => (accepted ? Effect.void : tell(key, message)))
        )
      })

    return { tell, active: () => actors.size }
  })

