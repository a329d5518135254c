/**
 * vitest globalSetup: finds or starts the NATS (JetStream) and PostgreSQL tests use, exports their URLs
 * (`LOKET_TEST_NATS_URL`, `LOKET_TEST_DATABASE_URL`) to the test workers, stops throwaway ones at the end.
 */
import { setupServices } from "./services.ts"

export default function setup(): Promise<() => Promise<void>> {
  return setupServices()
}
