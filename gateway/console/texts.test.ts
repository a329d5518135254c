/** What the sign-in form says when it is throttled, as the agent reads it (Retry-After in seconds). */
import { describe, expect, it } from "vitest"
import { textsFor } from "./texts.ts"

describe("the throttled sign-in's wait", () => {
  it("says 1 minuut (not 1 minuten) for the last minute, and whole minutes rounded up otherwise", () => {
    const nl = textsFor("nl")
    expect(nl.signInThrottled(42)).toBe("Te veel mislukte pogingen. Probeer het over 1 minuut opnieuw.")
    expect(nl.signInThrottled(60)).toBe("Te veel mislukte pogingen. Probeer het over 1 minuut opnieuw.")
    expect(nl.signInThrottled(61)).toBe("Te veel mislukte pogingen. Probeer het over 2 minuten opnieuw.")
    expect(nl.signInThrottled(900)).toBe("Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw.")
    expect(textsFor("en").signInThrottled(30)).toBe("Too many failed attempts. Try again in 1 minute.")
    expect(textsFor("en").signInThrottled(899)).toBe("Too many failed attempts. Try again in 15 minutes.")
  })
})
