/** The people services' errors as HTTP answers, in one place. A DatabaseUnavailable goes on to app.ts's onError (503). */
import { Effect } from "effect"
import type { Context } from "hono"
import { jsonError } from "../../http/errors.ts"
import type { AppRuntime, AppServices } from "../../Runtime.ts"

const NOT_FOUND = { agent: "agent_not_found", team: "team_not_found", token: "token_not_found" } as const

export function peopleErrorResponse(c: Context, error: unknown): Response {
  const tagged = error as { _tag?: string }
  switch (tagged._tag) {
    case "PeopleInvalid": {
      const e = error as { message: string; details: ReadonlyArray<{ path: string; message: string }> }
      return jsonError(c, 422, "invalid_body", e.message, e.details)
    }
    case "PeopleNotFound": {
      const e = error as { what: keyof typeof NOT_FOUND; id: string }
      return jsonError(c, 404, NOT_FOUND[e.what], `No ${e.what} ${e.id}.`)
    }
    case "PeopleConflict": {
      const e = error as { code: string; message: string }
      return jsonError(c, 409, e.code, e.message)
    }
  }
  throw error
}

/** Runs `effect`; its success is answered by `ok`, its failure as above. */
export async function answer<A, E>(c: Context, runtime: AppRuntime, effect: Effect.Effect<A, E, AppServices>, ok: (value: A) => Response): Promise<Response> {
  const result = await runtime.runPromise(Effect.result(effect))
  return result._tag === "Success" ? ok(result.success) : peopleErrorResponse(c, result.failure)
}
