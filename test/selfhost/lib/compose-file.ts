/**
 * Reads a compose file the way Docker Compose does before it validates one: YAML with anchors and
 * `<<` merge keys, then `${VAR}` interpolation from an environment (the .env file). Plus the few
 * normalisations the rules need (environment lists, short volume and port syntax).
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { parse } from "yaml"

export type Env = Readonly<Record<string, string | undefined>>

export interface Service {
  readonly image?: string
  readonly build?: unknown
  readonly command?: string | ReadonlyArray<string>
  readonly ports?: ReadonlyArray<string | number | { readonly target?: number | string; readonly published?: number | string }>
  readonly environment?: Readonly<Record<string, unknown>> | ReadonlyArray<string>
  readonly volumes?: ReadonlyArray<string | { readonly type?: string; readonly source?: string; readonly target?: string }>
  readonly depends_on?: ReadonlyArray<string> | Readonly<Record<string, { readonly condition?: string }>>
  readonly healthcheck?: { readonly test?: string | ReadonlyArray<string>; readonly disable?: boolean }
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, Service>>
  readonly volumes?: Readonly<Record<string, unknown>>
}

/** A compose file with the files beside it (bind mounts, configs), as the rules see it. */
export interface Project {
  readonly file: ComposeFile
  /** Text of a file relative to the compose file's folder; undefined when there is none. */
  readonly read: (path: string) => string | undefined
}

const NAME = "[A-Za-z_][A-Za-z0-9_]*"
const REFERENCE = new RegExp(`\\$(?:\\$|\\{(${NAME})(?:(:?[-?+])([^}]*))?\\}|(${NAME}))`, "g")

/** Compose's interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR:+alt}`. */
export function interpolate(text: string, env: Env): string {
  return text.replace(REFERENCE, (whole, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (whole === "$$") return "$"
    if (arg?.includes("$")) throw new Error(`nested interpolation is not supported here: ${whole}`)
    const name = (braced ?? bare)!
    const value = env[name]
    const set = value !== undefined
    const filled = set && value !== ""
    switch (op) {
      case undefined: return value ?? ""
      case ":-": return filled ? value : arg!
      case "-": return set ? value : arg!
      case ":+": return filled ? arg! : ""
      case "+": return set ? arg! : ""
      default:
        if (op === ":?" ? !filled : !set) throw new Error(`${name}: ${arg || "required"}`)
        return value!
    }
  })
}

function interpolateAll(value: unknown, env: Env): unknown {
  if (typeof value === "string") return interpolate(value, env)
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env))
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, env)]))
  }
  return value
}

/** Parses compose YAML text and interpolates it; what the JSON schema and the rules get. */
export function parseCompose(text: string, env: Env = {}): unknown {
  return interpolateAll(parse(text, { merge: true }), env)
}

export function loadProject(composePath: string, env: Env = {}): Project {
  const dir = dirname(composePath)
  return {
    file: parseCompose(readFileSync(composePath, "utf8"), env) as ComposeFile,
    read: (path) => {
      const full = join(dir, path)
      return existsSync(full) ? readFileSync(full, "utf8") : undefined
    }
  }
}

/** The environment as a map; list entries without `=` take their value from the shell (here: ""). */
export function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {}
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry: string) => {
      const at = entry.indexOf("=")
      return at < 0 ? [entry, ""] : [entry.slice(0, at), entry.slice(at + 1)]
    }))
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value == null ? "" : String(value)]))
}

export interface Mount {
  readonly type: "volume" | "bind" | "other"
  readonly source: string
  readonly target: string
}

/** Volumes in long form; a short source starting with `.`, `/` or `~` is a bind mount, else a named volume. */
export function mountsOf(service: Service): Mount[] {
  return (service.volumes ?? []).map((volume): Mount => {
    if (typeof volume === "string") {
      const [source = "", target = ""] = volume.split(":")
      const type = /^[./~]/.test(source) ? "bind" : "volume"
      return target === "" ? { type: "volume", source: "", target: source } : { type, source, target }
    }
    const type = volume.type === "bind" || volume.type === "volume" ? volume.type : "other"
    return { type, source: volume.source ?? "", target: volume.target ?? "" }
  })
}

/** Services this one waits for, with the condition (the list form means `service_started`). */
export function dependenciesOf(service: Service): Record<string, string> {
  const deps = service.depends_on ?? []
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name: string) => [name, "service_started"]))
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition ?? "service_started"]))
}

/** Every `ports` entry publishes a port on the host (a short entry without a host port: a random one). */
export function portsOf(service: Service): Array<{ readonly published: string | undefined; readonly target: string }> {
  return (service.ports ?? []).map((port) => {
    if (typeof port === "object") return { published: port.published?.toString(), target: String(port.target ?? "") }
    const parts = String(port).replace(/\/(tcp|udp|sctp)$/, "").split(":")
    const target = parts.pop() ?? ""
    return { published: parts.pop(), target }
  })
}

export const commandOf = (service: Service): string[] =>
  typeof service.command === "string" ? service.command.split(/\s+/) : [...(service.command ?? [])]

export const healthcheckText = (service: Service): string | undefined => {
  const check = service.healthcheck
  if (check === undefined || check.disable === true) return undefined
  const test = check.test
  return typeof test === "string" ? test : test?.join(" ")
}

/** Services built from the Dockerfile: the gateways. */
export const gatewaysOf = (file: ComposeFile): string[] => Object.keys(file.services).filter((name) => file.services[name]!.build !== undefined)

/** Services whose image is `<repository>:…` (e.g. "nats", "postgres", "nginx"). */
export const servicesWithImage = (file: ComposeFile, repository: string): string[] =>
  Object.keys(file.services).filter((name) => file.services[name]!.image?.split(":")[0] === repository)
