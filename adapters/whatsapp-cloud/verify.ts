/**
 * Is this request really from Meta?
 * - POST: `X-Hub-Signature-256: sha256=<64 hex>` is HMAC-SHA256 of the raw body bytes,
 *   keyed with the app secret. Checked before parsing, compared in constant time.
 * - GET: the subscription handshake echoes `hub.challenge` when `hub.verify_token` matches.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto"
import type { Verification } from "../ChannelAdapter.ts"

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/

export function verifySignature(rawBody: Uint8Array, header: string | null | undefined, appSecret: string): Verification {
  try {
    if (appSecret === "") {
      return { ok: false, code: "channel_not_configured", message: "WhatsApp app secret is empty" }
    }
    if (header === null || header === undefined || header.trim() === "") {
      return { ok: false, code: "signature_missing", message: "X-Hub-Signature-256 header is missing" }
    }
    const match = SIGNATURE.exec(header.trim())
    if (match === null) {
      return {
        ok: false,
        code: "signature_malformed",
        message: "X-Hub-Signature-256 must be sha256= followed by 64 hex characters"
      }
    }
    const received = Buffer.from(match[1]!, "hex")
    const expected = createHmac("sha256", appSecret).update(rawBody).digest()
    // Both are 32 bytes here (64 hex chars checked above); timingSafeEqual needs equal lengths.
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      return { ok: false, code: "signature_invalid", message: "X-Hub-Signature-256 does not match the body" }
    }
    return { ok: true }
  } catch {
    return { ok: false, code: "signature_invalid", message: "X-Hub-Signature-256 could not be checked" }
  }
}

export interface HandshakeQuery {
  readonly mode: string | null | undefined
  readonly token: string | null | undefined
  readonly challenge: string | null | undefined
}

/**
 * Returns the challenge to echo (answer 200 with it), or null (answer 403). Null too when
 * no verify token is configured: an unconfigured channel never subscribes.
 */
export function verifyHandshake(query: HandshakeQuery, verifyToken: string | undefined): string | null {
  if (verifyToken === undefined || verifyToken === "") return null
  if (query.mode !== "subscribe") return null
  if (typeof query.token !== "string" || typeof query.challenge !== "string" || query.challenge === "") return null
  return safeEqual(query.token, verifyToken) ? query.challenge : null
}

/** Constant-time string comparison: hashing first gives equal-length buffers for any input. */
function safeEqual(a: string, b: string): boolean {
  const digestA = createHash("sha256").update(a, "utf8").digest()
  const digestB = createHash("sha256").update(b, "utf8").digest()
  return timingSafeEqual(digestA, digestB)
}
