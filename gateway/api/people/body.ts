/** Bodies of the people routes: at most 16 KiB (Hono's bodyLimit), JSON, decoded with a Schema (422 naming each field). */
import type { Context } from "hono"
import { bodyLimit } from "hono/body-limit"
import { jsonError } from "../../http/errors.ts"
import type { Decoded } from "../../http/validate.ts"

export const PEOPLE_BODY_LIMIT = 16 * 1024

export const limitPeopleBody = bodyLimit({
  maxSize: PEOPLE_BODY_LIMIT,
  onError: (c) => jsonError(c, 413, "payload_too_large", `This body is limited to ${PEOPLE_BODY_LIMIT} bytes (16 KiB); send less.`)
})

export type Read<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly response: Response }

export async function readBody<A>(c: Context, decode: (input: unknown) => Decoded<A>): Promise<Read<A>> {
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    return { ok: false, response: jsonError(c, 400, "invalid_json", "The body is not JSON; send a JSON object with 'Content-Type: application/json'.") }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, response: jsonError(c, 422, "invalid_body", "Send a JSON object.", [{ path: "", message: "expected an object" }]) }
  }
  const decoded = decode(body)
  if (!decoded.ok) return { ok: false, response: jsonError(c, 422, "invalid_body", "Some fields are missing or wrong; see details.", decoded.details) }
  return { ok: true, value: decoded.value }
}
