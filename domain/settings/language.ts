/** `language`: what residents get, Dutch by default. */
import { Schema } from "effect"

export const Language = Schema.Literals(["nl", "en"]).annotate({ description: "What residents get: nl (default) or en." })
export type Language = typeof Language.Type

export const defaultLanguage: Language = "nl"
