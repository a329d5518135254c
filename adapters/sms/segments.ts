/**
 * How many SMS segments a text costs, the way the networks split it (3GPP TS 23.038 / 23.040)
 * and Twilio bills it: a text in the GSM 03.38 alphabet goes as GSM-7, 160 septets in one SMS,
 * 153 per segment when concatenated (the rest of each holds the header); the characters
 * `^ { } \ [ ~ ] | €` and form feed take two septets and are never split across segments.
 * Any other character (é is GSM-7, but ë, emoji, ‘curly quotes’ are not) sends the whole text
 * as UCS-2: 70 UTF-16 units in one SMS, 67 per segment, a surrogate pair (emoji) never split.
 */

/** GSM 03.38 basic character set (one septet each). */
const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
/** GSM 03.38 extension table (escape + one septet each). */
const GSM_EXTENSION = new Set("\f^{}\\[~]|€")

export type SmsEncoding = "GSM-7" | "UCS-2"

export interface SmsSegments {
  readonly encoding: SmsEncoding
  /** SMS messages the text is sent (and billed) as. */
  readonly segments: number
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  readonly units: number
  /** Units per segment at this length: 160/70 for one SMS, 153/67 when concatenated. */
  readonly perSegment: number
}

export const isGsm7 = (text: string): boolean => {
  for (const char of text) if (!GSM_BASIC.has(char) && !GSM_EXTENSION.has(char)) return false
  return true
}

/** Packs units (each 1 or 2 wide, never split) into segments of `size`. */
function pack(widths: ReadonlyArray<number>, size: number): number {
  let segments = 1
  let used = 0
  for (const width of widths) {
    if (used + width > size) {
      segments += 1
      used = 0
    }
    used += width
  }
  return segments
}

export function smsSegments(text: string): SmsSegments {
  const gsm = isGsm7(text)
  const widths = Array.from(text, (char) => (gsm ? (GSM_EXTENSION.has(char) ? 2 : 1) : char.length))
  const units = widths.reduce((sum, width) => sum + width, 0)
  const single = gsm ? 160 : 70
  const concatenated = gsm ? 153 : 67
  const encoding: SmsEncoding = gsm ? "GSM-7" : "UCS-2"
  if (units <= single) return { encoding, segments: 1, units, perSegment: single }
  return { encoding, segments: pack(widths, concatenated), units, perSegment: concatenated }
}
