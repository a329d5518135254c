/** Is a template send acceptable: known, approved, and every `{{n}}` filled? */
import { SendRefused } from "../../domain/errors.ts"
import type { TemplateRow } from "../../drizzle/schema.ts"

interface TemplateAsk {
  readonly name: string
  readonly language: string
  readonly components?: ReadonlyArray<unknown> | undefined
}

type Part = "header" | "body" | "buttons"

/** How many parameters the agent gave per part (Meta's components: header, body, button). */
export function givenParameters(components: ReadonlyArray<unknown> | undefined): Record<Part, number> {
  const given: Record<Part, number> = { header: 0, body: 0, buttons: 0 }
  for (const component of components ?? []) {
    if (component === null || typeof component !== "object") continue
    const { type, parameters, sub_type } = component as { type?: unknown; parameters?: unknown; sub_type?: unknown }
    const count = Array.isArray(parameters) ? parameters.length : 0
    // Only URL buttons have `{{n}}` placeholders; quick-reply payloads and copy codes are not counted.
    const part: Part | undefined = type === "header" ? "header" : type === "body" ? "body"
      : type === "button" && String(sub_type).toLowerCase() === "url" ? "buttons" : undefined
    if (part !== undefined) given[part] += count
  }
  return given
}

/** Checks an agent's template against the synced `template` of that name and language (undefined: none). */
export function checkTemplate(template: TemplateRow | undefined, ask: TemplateAsk): SendRefused | undefined {
  if (template === undefined) {
    return new SendRefused({
      code: "template_not_found", status: 422,
      message: `No template "${ask.name}" in language "${ask.language}" is known; sync templates (POST /api/v1/templates/sync) or check the name.`,
      details: [{ path: "template.name", message: "unknown template" }]
    })
  }
  if (template.status !== "APPROVED") {
    return new SendRefused({
      code: "template_not_approved", status: 422,
      message: `Template "${ask.name}" (${ask.language}) is ${template.status}; only APPROVED templates may be sent.`,
      details: [{ path: "template.name", message: `status ${template.status}` }]
    })
  }
  const expected = template.parameterCounts
  if (expected === null) return undefined
  const given = givenParameters(ask.components)
  const wrong = (["header", "body", "buttons"] as const).filter((part) => given[part] !== expected[part])
  if (wrong.length === 0) return undefined
  return new SendRefused({
    code: "template_parameters", status: 422,
    message: `Template "${ask.name}" needs ${wrong.map((p) => `${expected[p]} ${p} parameter(s), got ${given[p]}`).join("; ")}.`,
    details: wrong.map((part) => ({ path: `template.components.${part}`, message: `expected ${expected[part]} parameter(s), got ${given[part]}` }))
  })
}

/** The body text as the resident will read it, `{{n}}` filled in; null when the template is unknown. */
export function renderTemplateText(template: TemplateRow | undefined, components: ReadonlyArray<unknown>): string | null {
  if (template === undefined || !Array.isArray(template.components)) return null
  const body = (template.components as Array<{ type?: string; text?: string }>).find((c) => c.type?.toUpperCase() === "BODY")
  if (body?.text === undefined) return null
  const params = (components.find((c) => (c as { type?: string })?.type === "body") as { parameters?: Array<{ text?: unknown }> } | undefined)?.parameters ?? []
  return body.text.replace(/\{\{(\d+)\}\}/g, (whole, n) => {
    const value = params[Number(n) - 1]?.text
    return typeof value === "string" ? value : whole
  })
}
