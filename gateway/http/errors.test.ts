import { describe, expect, it } from "vitest"
import { Hono } from "hono"
import { jsonError } from "./errors.ts"

describe("jsonError", () => {
  it("answers the contract's error shape with the given status", async () => {
    const app = new Hono().get("/", (c) => jsonError(c, 422, "window_closed", "The 24-hour window is closed.", [{ path: "text", message: "use a template" }]))
    const res = await app.request("/")
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      error: { code: "window_closed", message: "The 24-hour window is closed.", details: [{ path: "text", message: "use a template" }] }
    })
  })
})
