import { scryptSync } from "node:crypto"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { hashPassword, verifyPassword } from "./password.ts"

const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)

describe("password", () => {
  it("hashes to a versioned scrypt string with a fresh salt each time, never containing the password", async () => {
    const a = await run(hashPassword("correct horse battery staple"))
    const b = await run(hashPassword("correct horse battery staple"))
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    expect(a).not.toBe(b)
    expect(a).not.toContain("correct")
  })

  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await run(hashPassword("correct horse battery staple"))
    expect(await run(verifyPassword("correct horse battery staple", stored))).toBe(true)
    expect(await run(verifyPassword("correct horse battery stapler", stored))).toBe(false)
    expect(await run(verifyPassword("", stored))).toBe(false)
  })

  it("verifies a hash made with other parameters (the string carries them)", async () => {
    const salt = Buffer.from("0123456789abcdef")
    const key = scryptSync("oud wachtwoord 1", salt, 32, { N: 1024, r: 8, p: 1 })
    const stored = `scrypt$1024$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`
    expect(await run(verifyPassword("oud wachtwoord 1", stored))).toBe(true)
    expect(await run(verifyPassword("oud wachtwoord 2", stored))).toBe(false)
  })

  it("refuses malformed or tampered hashes without deriving a key", async () => {
    const stored = await run(hashPassword("correct horse battery staple"))
    const parts = stored.split("$")
    for (const bad of ["", "plain", `bcrypt$${parts.slice(1).join("$")}`, parts.slice(0, 5).join("$"), ["scrypt", "1000", ...parts.slice(2)].join("$"), ["scrypt", String(2 ** 24), ...parts.slice(2)].join("$")]) {
      expect(await run(verifyPassword("correct horse battery staple", bad))).toBe(false)
    }
  })
})
