/**
 * Meta's managed message QR codes (`/{phone-number-id}/message_qrdls`): a code Meta keeps, a deep
 * link `https://wa.me/message/<code>` and a prefilled message (at most 140 characters) that can be
 * changed after the code is printed. Create or update: `POST` (with `code` to update); delete:
 * `DELETE /{phone-number-id}/message_qrdls/{code}`. Errors carry Meta's code and message, never
 * the token.
 */
import { Effect, Schema } from "effect"

export const MANAGED_QR_MAX_TEXT = 140
const CODE = /^[A-Z2-7]{14}$/

export class ManagedQrFailed extends Schema.TaggedError<ManagedQrFailed>()("ManagedQrFailed", {
  message: Schema.String,
  status: Schema.Number
}) {}

export interface ManagedQr {
  readonly code: string
  readonly deepLinkUrl: string
  readonly prefilledMessage: string
}

export interface ManagedQrOptions {
  readonly graphApiUrl: string
  readonly accessToken: string
  readonly phoneNumberId: string
  readonly timeoutMs: number
}

const QrResponse = Schema.Struct({ code: Schema.String, prefilled_message: Schema.String, deep_link_url: Schema.String })
const decodeQr = Schema.decodeUnknownResult(QrResponse)

async function graphCall(options: ManagedQrOptions, method: "POST" | "DELETE", path: string, body?: unknown): Promise<unknown> {
  const answer = await fetch(`${options.graphApiUrl}/${options.phoneNumberId}/${path}`, {
    method,
    headers: { authorization: `Bearer ${options.accessToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs)
  })
  const json = await answer.json().catch(() => null) as { error?: { code?: unknown; message?: unknown } } | null
  if (!answer.ok) {
    const reason = json?.error === undefined ? `HTTP ${answer.status}` : `${String(json.error.code)}: ${String(json.error.message).replaceAll(options.accessToken, "<token>")}`
    throw new ManagedQrFailed({ message: `Meta refused the QR code request (${reason}).`, status: answer.status })
  }
  return json
}

const failure = (cause: unknown) =>
  cause instanceof ManagedQrFailed ? cause : new ManagedQrFailed({ message: `Meta's QR code API did not answer: ${cause instanceof Error ? cause.name : "error"}.`, status: 0 })

function toManagedQr(json: unknown): ManagedQr {
  const decoded = decodeQr(json)
  if (decoded._tag === "Failure" || !CODE.test(decoded.success.code)) {
    throw new ManagedQrFailed({ message: "Meta answered the QR code request in a shape Loket does not know.", status: 200 })
  }
  return { code: decoded.success.code, deepLinkUrl: decoded.success.deep_link_url, prefilledMessage: decoded.success.prefilled_message }
}

export function makeManagedQrClient(options: ManagedQrOptions) {
  return {
    /** A new managed code with this prefilled message. */
    create: (prefilledMessage: string) =>
      Effect.tryPromise({ try: async () => toManagedQr(await graphCall(options, "POST", "message_qrdls", { prefilled_message: prefilledMessage })), catch: failure }),
    /** The same code (still printed) with another message. */
    update: (code: string, prefilledMessage: string) =>
      Effect.tryPromise({ try: async () => toManagedQr(await graphCall(options, "POST", "message_qrdls", { code, prefilled_message: prefilledMessage })), catch: failure }),
    /** Removes the code at Meta: a printed one stops working. */
    remove: (code: string) =>
      Effect.tryPromise({ try: async () => void (await graphCall(options, "DELETE", `message_qrdls/${encodeURIComponent(code)}`)), catch: failure })
  }
}

export type ManagedQrClient = ReturnType<typeof makeManagedQrClient>
