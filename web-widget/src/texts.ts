/** What residents read, in Dutch (the default) and English, chosen by the page's `lang`. */
export const TEXTS = {
  nl: {
    button: "Chat via WhatsApp",
    title: "Chat via WhatsApp",
    scan: "Scan deze QR-code met de camera van uw telefoon. WhatsApp opent met een bericht dat u nog kunt aanpassen.",
    qr: "QR-code die een WhatsApp-chat met de gemeente opent",
    link: "Of open WhatsApp op deze computer",
    close: "Sluiten",
    nextOpen: "We antwoorden vanaf ",
    newWindow: " (opent in een nieuw venster)",
    lang: "nl" as const
  },
  en: {
    button: "Chat via WhatsApp",
    title: "Chat via WhatsApp",
    scan: "Scan this QR code with your phone's camera. WhatsApp opens with a message you can still edit.",
    qr: "QR code that opens a WhatsApp chat with the municipality",
    link: "Or open WhatsApp on this computer",
    close: "Close",
    nextOpen: "We answer from ",
    newWindow: " (opens in a new window)",
    lang: "en" as const
  }
}

export type Texts = (typeof TEXTS)["nl" | "en"]

/** English when the page says so (`lang="en"`, `en-GB`, …), else Dutch. */
export const textsFor = (lang: string): Texts => (/^en\b/i.test(lang) ? TEXTS.en : TEXTS.nl)
