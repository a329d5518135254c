import { defineConfig } from "vitest/config"

/** End-to-end suites that run twice: on SQLite (embedded default) and on PostgreSQL, the same tests. */
const BOTH_DIALECTS = ["inbound", "agent-api", "outbound", "pacing", "webhook-security", "parked", "body-limits", "settings", "people", "audit", "contacts", "contact-links", "telegram", "sms", "working", "resident-safety", "messenger", "instagram", "console"].map((name) => `test/e2e/${name}.e2e.test.ts`)
/** Unit-level suites that also run on both dialects. */
const BOTH_DIALECTS_BESIDE = ["gateway/widget/routes.test.ts"]

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // NATS and PostgreSQL for the tests: found on 127.0.0.1, given by env, or started throwaway.
    globalSetup: ["test/support/global-setup.ts"],
    projects: [
      {
        extends: true,
        // .tmp/ holds bench builds and, for a before/after, an older source tree: never its tests.
        test: { name: "all", include: ["**/*.test.ts"], exclude: ["node_modules/**", "data/**", ".tmp/**", "dist/**"] }
      },
      {
        extends: true,
        test: { name: "postgres", include: [...BOTH_DIALECTS, ...BOTH_DIALECTS_BESIDE], env: { LOKET_TEST_DIALECT: "postgres" } }
      }
    ]
  }
})
