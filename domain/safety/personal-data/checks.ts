/**
 * Check-digit validators for the numbers residents send. BSN's 11-proef has no well-kept
 * library (it is four lines); IBAN (ibantools) and payment cards (card-validator) use one.
 */
import { electronicFormatIBAN, isValidIBAN } from "ibantools"
import cardValidator from "card-validator"

/** The BSN 11-proef: 9 digits (8 get a leading 0), 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11, not all zeros. */
export function passesElevenTest(digits: string): boolean {
  const d = digits.length === 8 ? `0${digits}` : digits
  if (!/^\d{9}$/.test(d) || /^0+$/.test(d)) return false
  let sum = 0
  for (let i = 0; i < 8; i++) sum += Number(d[i]) * (9 - i)
  sum -= Number(d[8])
  return sum % 11 === 0
}

/** An IBAN of any country, with or without spaces, any case: its length per country and mod-97 check. */
export function isValidIban(candidate: string): boolean {
  const electronic = electronicFormatIBAN(candidate)
  return electronic !== null && isValidIBAN(electronic)
}

/** A payment card number: a known card brand's length and prefix, and the Luhn check. */
export function isValidCardNumber(digits: string): boolean {
  return cardValidator.number(digits, { maxLength: 19 }).isValid
}
