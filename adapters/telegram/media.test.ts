import { http, HttpResponse } from "msw"
import { setupServer } from "msw/node"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { telegramBotMock } from "../../test/msw/telegram.ts"
import { isChannelMediaFailure } from "../ChannelAdapter.ts"
import { makeBotApi } from "./bot-api.ts"
import { makeTelegramMedia } from "./media.ts"

const API = "https://telegram.test"
const TOKEN = "123456:media-test-token"
const FILE_ID = "BQACAgQ_failing_download"
const mock = telegramBotMock({ apiUrl: API, token: TOKEN, files: { [FILE_ID]: { bytes: new Uint8Array(64), path: "documents/file_7.pdf" } } })
const server = setupServer(...mock.handlers)
/** Telegram's file host failing with a body (an HTML error page), as a proxy in front of it would. */
const fileHostFails = (status: number) =>
  server.use(http.get(`${API}/file/:bot/*`, () => new HttpResponse("<html><body>Bad Gateway</body></html>".repeat(200), { status, headers: { "content-type": "text/html" } })))

beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => {
  mock.assertValid()
  server.resetHandlers()
})
afterAll(() => server.close())

/** Built per test: the Bot API client takes `fetch` when it is made, after msw has patched it. */
const telegramMedia = () => makeTelegramMedia(makeBotApi({ apiUrl: API, token: TOKEN, timeoutMs: 5_000 }))

/** The failure, or "still pending" when it has not settled within `ms` (the hang this guards against). */
async function failureWithin(promise: Promise<unknown>, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const pending = new Promise<"still pending">((resolve) => (timer = setTimeout(() => resolve("still pending"), ms)))
  try {
    return await Promise.race([promise.then(() => "resolved", (error: unknown) => error), pending])
  } finally {
    clearTimeout(timer)
  }
}

describe("Telegram media for agents, failure paths", () => {
  it.each([500, 502, 404])("answers media_unavailable promptly when the file host answers %i with a body", async (status) => {
    fileHostFails(status)
    const error = await failureWithin(telegramMedia().fetch(FILE_ID), 3_000)
    expect(isChannelMediaFailure(error)).toBe(true)
    expect(error).toMatchObject({ status: 502, code: "media_unavailable" })
  })

  it("still streams the file when the host answers", async () => {
    const file = await telegramMedia().fetch(FILE_ID)
    expect(file.mimeType).toBe("application/pdf")
    expect(new Uint8Array(await new Response(file.body).arrayBuffer())).toEqual(new Uint8Array(64))
  })
})
