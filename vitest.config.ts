import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "data/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // NATS and PostgreSQL for the tests: found on 127.0.0.1, given by env, or started throwaway.
    globalSetup: ["test/support/global-setup.ts"]
  }
})
