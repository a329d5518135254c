import { Schema } from "effect"

/** Every channel Loket speaks; the contract fixes these names. */
export const Channel = Schema.Literals(["whatsapp", "messenger", "instagram", "telegram", "sms"])
export type Channel = typeof Channel.Type
