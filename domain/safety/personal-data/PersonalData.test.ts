import { describe, expect, it } from "vitest"
import { passesElevenTest, isValidIban } from "./checks.ts"
import { findPersonalData, personalDataFlags } from "./PersonalData.ts"

const kinds = (text: string, options = {}) => findPersonalData(text, options).map((f) => `${f.kind}:${text.slice(f.start, f.end)}`)

describe("BSN by the 11-proef", () => {
  it.each(["123456782", "111222333", "999999990", "12345672" /* 8 digits: 012345672 */])("%s passes", (bsn) => expect(passesElevenTest(bsn)).toBe(true))
  it.each(["123456789", "111222334", "000000000", "12345678", "1234567890", "12345678a"])("%s fails", (n) => expect(passesElevenTest(n)).toBe(false))
})

describe("IBAN by mod-97", () => {
  it.each(["NL91ABNA0417164300", "nl91 abna 0417 1643 00", "DE89 3704 0044 0532 0130 00", "BE68539007547034", "GB29NWBK60161331926819"])("%s is valid", (i) => expect(isValidIban(i)).toBe(true))
  it.each(["NL92ABNA0417164300", "NL91ABNA041716430", "DE89370400440532013001", "XX91ABNA0417164300"])("%s is not", (i) => expect(isValidIban(i)).toBe(false))
})

describe("findPersonalData: true positives", () => {
  it.each([
    ["Mijn BSN is 123456782", "bsn:123456782"],
    ["burgerservicenummer 1234.56.782", "bsn:1234.56.782"],
    ["bsn: 123 456 782", "bsn:123 456 782"],
    ["mijn nummer is 111222333 voor de aanvraag", "bsn:111222333"],
    ["Rekening NL91ABNA0417164300 graag", "iban:NL91ABNA0417164300"],
    ["iban nl91 abna 0417 1643 00.", "iban:nl91 abna 0417 1643 00"],
    ["my account DE89 3704 0044 0532 0130 00 thanks", "iban:DE89 3704 0044 0532 0130 00"],
    ["Bel me op 06-12345678", "phone:06-12345678"],
    ["tel +31 6 1234 5678", "phone:+31 6 1234 5678"],
    ["vast nummer 070 353 3000", "phone:070 353 3000"],
    ["of (070) 353 3000", "phone:(070) 353 3000"],
    ["0031 20 624 1111 overdag", "phone:0031 20 624 1111"],
    ["mail jan.jansen@gmail.com", "email:jan.jansen@gmail.com"],
    ["Ik ben geboren op 3 maart 1985", "birthdate:3 maart 1985"],
    ["geb. 03-03-1985", "birthdate:03-03-1985"],
    ["geboortedatum: 1985-03-03", "birthdate:1985-03-03"],
    ["I was born on March 3, 1985", "birthdate:March 3, 1985"],
    ["date of birth 03/03/1985", "birthdate:03/03/1985"],
    ["mijn paspoortnummer is NW1234K57", "id-document:NW1234K57"],
    ["ID-kaart SPECI2014 verlopen", "id-document:SPECI2014"],
    ["kaartnummer 4111 1111 1111 1111", "card:4111 1111 1111 1111"],
    ["creditcard 5555-5555-5555-4444", "card:5555-5555-5555-4444"]
  ])("%s → %s", (text, expected) => expect(kinds(text)).toEqual([expected]))

  it("finds several kinds in one message, each span once", () => {
    expect(kinds("bsn 123456782, bel 0612345678 of mail a@b.nl; IBAN NL91ABNA0417164300")).toEqual([
      "bsn:123456782", "phone:0612345678", "email:a@b.nl", "iban:NL91ABNA0417164300"
    ])
  })

  it("gives the contract flags once each", () => {
    expect(personalDataFlags(findPersonalData("bel 0612345678 of 070 353 3000, bsn 123456782"))).toEqual(["pii:bsn", "pii:phone"])
  })

  it("applies configured extra patterns", () => {
    expect(kinds("klantnummer DH-2025-001", { extraPatterns: [{ name: "klantnummer", pattern: "DH-\\d{4}-\\d{3}" }] })).toEqual(["other:DH-2025-001"])
    expect(personalDataFlags(findPersonalData("bsn 123456782 en DH-2025-001", { extraPatterns: [{ name: "klantnummer", pattern: "DH-\\d{4}-\\d{3}" }] }))).toEqual(["pii:bsn", "pii:klantnummer"])
  })
})

describe("findPersonalData: what is not personal data", () => {
  it.each([
    "Mijn nummer is 123456789", // fails the 11-proef
    "zaaknummer 123456782", // passes, but is a case number
    "klantnummer: 111222333",
    "factuur nr. 123456782",
    "het bedrag is € 123.456.782",
    "123456782 euro",
    "KvK 12345678",
    "afspraak op 12-03-2025 om 10.30",
    "geboren in Den Haag, afspraak 12-03-2025", // a date, but not a birth date
    "om 10.30 uur, art. 3.2, € 1.250,00",
    "postcode 2511 AB, huisnummer 12",
    "IBAN NL92ABNA0417164300 (typo)",
    "kaart 4111 1111 1111 1112",
    "zaak 2025-0012345 en 06-1234", // too short for a phone number
    "geboortedatum 31-02-1985", // no such date
    "paspoort kwijt, wat nu?",
    "bel 14070"
  ])("%s", (text) => expect(kinds(text)).toEqual([]))

  it("digits inside a phone number are the phone number only", () => {
    expect(kinds("bel 0612345672")).toEqual(["phone:0612345672"]) // 612345672 alone would pass the 11-proef
  })

  it("digits inside an IBAN are the IBAN only", () => {
    expect(kinds("NL02ABNA0123456789")).toEqual(["iban:NL02ABNA0123456789"])
  })
})
