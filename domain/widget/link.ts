/**
 * The click-to-chat link WhatsApp documents: `https://wa.me/<number>?text=<prefilled>`, the number
 * in international format with digits only (no `+`, no leading zeros, no spaces or dashes).
 */

/** Digits only: `+31 6-1234 5678` → `31612345678`. */
export const normalizeNumber = (number: string): string => number.replace(/[^0-9]/g, "")

/** The wa.me link that opens a chat with `number`, `text` typed in (not sent) when given. */
export function waMeLink(number: string, text?: string | null): string {
  const base = `https://wa.me/${normalizeNumber(number)}`
  return text === undefined || text === null || text === "" ? base : `${base}?text=${encodeURIComponent(text)}`
}
