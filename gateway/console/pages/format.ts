/** Small formatting helpers of the console's pages (times in the municipality's zone, defanged links). */
export const formatTime = (iso: string, language: "nl" | "en", timeZone: string) =>
  new Intl.DateTimeFormat(language === "en" ? "en-GB" : "nl-NL", { timeZone, day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(new Date(iso))

const URL_LIKE = /\b((?:https?|ftp):\/\/|www\.)[^\s<>"]+/gi

/** Links as text that no click or copy opens: `https://x.nl` → `hxxps://x[.]nl` (settings: linkProtection.mode "neutralize"). */
export const defang = (text: string) =>
  text.replace(URL_LIKE, (url) => url.replace(/^http/i, "hxxp").replace(/^ftp/i, "fxp").replace(/\./g, "[.]"))

/** Who the resident is, as the list shows them: the name they gave, else the channel's handle. */
export const residentLabel = (contact: { name: string | null; handle: string }) => contact.name ?? contact.handle
