/**
 * The default texts residents (and website visitors) see, in plain Dutch (B1) and English.
 * The document's `language` picks one; a text an admin sets replaces it.
 */
import type { Language } from "./language.ts"

export type Texts = { readonly [L in Language]: string }

export const defaultTexts = {
  outOfHours: {
    nl: "Bedankt voor uw bericht. We zijn nu gesloten. We lezen uw bericht als we weer open zijn: {{nextOpen}}.",
    en: "Thank you for your message. We are closed right now. We will read your message when we are open again: {{nextOpen}}."
  },
  receipt: {
    nl: "We hebben uw bericht ontvangen. Een medewerker antwoordt zo snel mogelijk.",
    en: "We have received your message. A member of staff will answer as soon as possible."
  },
  firstContact: {
    nl: "Welkom bij de gemeente. Via WhatsApp kunt u een vraag stellen of iets melden. Een aanvraag, een bezwaar of iets over uw eigen gegevens regelt u op de website van de gemeente, met DigiD. Stuur hier geen wachtwoorden of pincodes.",
    en: "Welcome to the municipality. On WhatsApp you can ask a question or report something. Applications, objections and anything about your own details go through the municipality's website, with DigiD. Do not send passwords or PIN codes here."
  },
  personalDataWarning: {
    nl: "Stuur liever geen BSN of andere persoonlijke gegevens via WhatsApp. Voor persoonlijke zaken gebruikt u de beveiligde omgeving van de gemeente: log in met DigiD.",
    en: "Please do not send your BSN (citizen service number) or other personal details on WhatsApp. For personal matters, use the municipality's secure environment: log in with DigiD."
  },
  widget: {
    nl: "Chat met ons via WhatsApp",
    en: "Chat with us on WhatsApp"
  }
} satisfies Record<string, Texts>
