/**
 * A second SQLite connection to a gateway's file from the test process. The gateway under test
 * runs in this process too, so the connection must never wait for a lock synchronously (that
 * would block the event loop the gateway commits on): it retries on the next turn instead.
 */
import Database from "better-sqlite3"

export function openSideConnection(file: string) {
  const db = new Database(file, { timeout: 0 })
  const exec = async (statement: string) => {
    for (let i = 0; ; i++) {
      try {
        return db.exec(statement)
      } catch (error) {
        if (i > 500 || !String(error).includes("locked")) throw error
        await new Promise((r) => setTimeout(r, 5))
      }
    }
  }
  return { db, exec, close: () => db.close() }
}
