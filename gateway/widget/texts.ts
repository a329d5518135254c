/** What the server-drawn parts say (snippet link, QR titles), Dutch by default, English on request. */
export const SERVER_TEXTS = {
  nl: { link: "Chat via WhatsApp", qrTitle: "QR-code: chat via WhatsApp met de gemeente", posterHeading: "Vragen? Chat met de gemeente via WhatsApp" },
  en: { link: "Chat via WhatsApp", qrTitle: "QR code: chat with the municipality on WhatsApp", posterHeading: "Questions? Chat with the municipality on WhatsApp" }
} as const

export type Lang = keyof typeof SERVER_TEXTS
