/**
 * Message templates as `GET {GRAPH_API_URL}/{waba-id}/message_templates` lists them, plus how many parameters
 * each part expects, so a template send can be checked before it is queued (actors/conversation/template-check.ts).
 *
 * Counting: the distinct placeholders (`{{1}}`, or named `{{first_name}}`) in the HEADER text and the BODY text;
 * for buttons the sum over URL buttons of the placeholders in each `url` (a dynamic URL button takes one
 * parameter). Quick-reply payloads and copy-code buttons are not counted.
 */
import { isRecord } from "./errors.ts"

export interface TemplateInfo {
  readonly id: string
  readonly name: string
  readonly language: string
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED, … */
  readonly status: string
  /** MARKETING, UTILITY, AUTHENTICATION; null when Meta left it out. */
  readonly category: string | null
  /** Meta's components, as listed (upper-case `type`s: HEADER, BODY, FOOTER, BUTTONS). */
  readonly components: ReadonlyArray<unknown>
  readonly parameterCounts: { readonly header: number; readonly body: number; readonly buttons: number }
}

export const TEMPLATE_FIELDS = "name,language,status,category,components,id"

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g

/** Distinct `{{n}}` / `{{name}}` placeholders in a text. */
export function countPlaceholders(text: unknown): number {
  if (typeof text !== "string") return 0
  return new Set(Array.from(text.matchAll(PLACEHOLDER), (m) => m[1])).size
}

export function parameterCounts(components: ReadonlyArray<unknown>): TemplateInfo["parameterCounts"] {
  let header = 0
  let body = 0
  let buttons = 0
  for (const component of components) {
    if (!isRecord(component) || typeof component.type !== "string") continue
    const type = component.type.toUpperCase()
    if (type === "HEADER" && (component.format === undefined || String(component.format).toUpperCase() === "TEXT")) {
      header += countPlaceholders(component.text)
    } else if (type === "BODY") {
      body += countPlaceholders(component.text)
    } else if (type === "BUTTONS" && Array.isArray(component.buttons)) {
      for (const button of component.buttons) {
        if (isRecord(button) && typeof button.type === "string" && button.type.toUpperCase() === "URL") buttons += countPlaceholders(button.url)
      }
    }
  }
  return { header, body, buttons }
}

/** One `data[]` item; null when it has no name or language (it cannot be sent anyway). */
export function templateInfo(item: unknown): TemplateInfo | null {
  if (!isRecord(item) || typeof item.name !== "string" || item.name === "" || typeof item.language !== "string" || item.language === "") return null
  const components = Array.isArray(item.components) ? item.components : []
  return {
    id: typeof item.id === "string" || typeof item.id === "number" ? String(item.id) : `${item.name}:${item.language}`,
    name: item.name,
    language: item.language,
    status: typeof item.status === "string" ? item.status : "UNKNOWN",
    category: typeof item.category === "string" ? item.category : null,
    components,
    parameterCounts: parameterCounts(components)
  }
}
