/**
 * Rules for who may talk to the NATS nodes of compose.yaml: every client logs in to an account
 * (the gateways to the one with JetStream), routes log in too, no secret is committed (each
 * password is a `$VARIABLE` the node's environment fills from .env), TLS is optional but complete.
 */
import { type Project, environmentOf, gatewaysOf } from "./compose-file.ts"
import { type NatsMap, type NatsValue, get } from "./nats-conf.ts"
import { natsNodes } from "./nats-rules.ts"
import { rule } from "./rule.ts"

const text = (value: NatsValue | undefined): string | undefined => (typeof value === "string" ? value : undefined)
const isMap = (value: NatsValue | undefined): value is NatsMap => value !== undefined && typeof value !== "string" && !Array.isArray(value)
const VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*)$/

/** Every value in the config, with the key it sits under. */
function* entries(value: NatsValue, key = ""): Generator<[string, string]> {
  if (typeof value === "string") yield [key, value]
  else if (Array.isArray(value)) for (const item of value) yield* entries(item, key)
  else for (const [k, v] of Object.entries(value)) yield* entries(v, k)
}

/** The users of an account: `{ user, password }` maps. */
const usersOf = (account: NatsValue | undefined): NatsMap[] => {
  const users = isMap(account) ? account.users : undefined
  return Array.isArray(users) ? users.filter(isMap) : []
}

/** The account the gateways use: the one with JetStream enabled. */
const jetStreamAccount = (config: NatsMap): [string, NatsMap] | undefined => {
  const accounts = get(config, "accounts")
  if (!isMap(accounts)) return undefined
  const found = Object.entries(accounts).find(([, account]) => isMap(account) && /^(enabled|true)$/.test(text(account.jetstream) ?? ""))
  return found === undefined ? undefined : [found[0], found[1] as NatsMap]
}

export const natsClientsAuthenticate = rule<Project>(
  "nats-clients-authenticate",
  "every NATS node lets in only users of its accounts (a JetStream account for the gateways, a separate system account); every gateway logs in as a user of that account",
  (p) => {
    const { nodes } = natsNodes(p)
    const problems = nodes.flatMap(({ name, config }) => {
      const found: string[] = []
      const loket = jetStreamAccount(config)
      if (loket === undefined) found.push(`${name}: no account with jetstream: enabled (accounts { … })`)
      else if (usersOf(loket[1]).some((u) => text(u.user) === undefined || (text(u.password) === undefined && text(u.nkey) === undefined))) {
        found.push(`${name}: account ${loket[0]} has a user without a password`)
      } else if (usersOf(loket[1]).length === 0) found.push(`${name}: account ${loket[0]} has no users`)
      if (get(config, "no_auth_user") !== undefined) found.push(`${name}: no_auth_user lets clients in without credentials`)
      if (get(config, "authorization") !== undefined) found.push(`${name}: a top-level authorization block; use accounts`)
      const system = text(get(config, "system_account"))
      if (system === undefined) found.push(`${name}: no system_account`)
      else if (!isMap(get(config, "accounts", system.toLowerCase()) ?? get(config, "accounts", system))) found.push(`${name}: system_account ${system} is not one of its accounts`)
      else if (loket !== undefined && loket[0].toLowerCase() === system.toLowerCase()) found.push(`${name}: the gateways' account is the system account`)
      return found
    })
    for (const gateway of gatewaysOf(p.file)) {
      const env = environmentOf(p.file.services[gateway]!)
      if ((env.NATS_CREDS ?? "") !== "") continue
      if ((env.NATS_USER ?? "") === "" || (env.NATS_PASSWORD ?? "") === "") {
        problems.push(`${gateway}: neither NATS_USER and NATS_PASSWORD nor NATS_CREDS: NATS refuses it`)
        continue
      }
      for (const { name, config } of nodes) {
        const loket = jetStreamAccount(config)
        if (loket !== undefined && !usersOf(loket[1]).some((u) => text(u.user) === env.NATS_USER)) {
          problems.push(`${gateway}: NATS_USER=${env.NATS_USER} is not a user of ${name}'s account ${loket[0]}`)
        }
      }
    }
    return problems
  }
)

export const natsRoutesAuthenticate = rule<Project>(
  "nats-routes-authenticate",
  "every NATS node wants a user and password from its routes, and every route it dials carries them",
  (p) =>
    natsNodes(p).nodes.flatMap(({ name, config, routes }) => {
      const user = text(get(config, "cluster", "authorization", "user"))
      const password = text(get(config, "cluster", "authorization", "password"))
      if (user === undefined || password === undefined) return [`${name}: cluster.authorization needs user and password (any server could join the cluster)`]
      return routes.filter((route) => !new RegExp(`^nats-route://${user}:[^@]+@`).test(route)).map((route) => `${name}: route ${route.replace(/:[^:@/]+@/, ":***@")} does not log in as ${user}`)
    })
)

export const natsNoCommittedSecret = rule<Project>(
  "nats-no-committed-secret",
  "no NATS password is committed: the config files refer to $VARIABLES, compose.yaml takes them from .env, .env.example leaves them empty",
  (p) => {
    const problems = natsNodes(p).nodes.flatMap(({ name, config }) =>
      [...entries(config)].filter(([key, value]) => /^(password|pass|token)$/.test(key) && !VARIABLE.test(value))
        .map(([key]) => `${name}: a ${key} is written into its config file; use $VARIABLE from the environment`))
    const compose = p.read("compose.yaml") ?? ""
    for (const line of compose.split("\n")) {
      const m = /^\s*([A-Z0-9_]*(PASSWORD|ROUTE)[A-Z0-9_]*):\s*(.+)$/.exec(line)
      if (m !== null && !/\$\{[A-Z0-9_]+[:?}]/.test(m[3]!)) problems.push(`compose.yaml: ${m[1]} is written out; take it from .env (\${${m[1]}:?…})`)
      if (/:\/\/[^/\s:@]+:[^$/\s@][^/\s@]*@/.test(line)) problems.push(`compose.yaml: a URL with a written-out password: ${line.trim().replace(/:[^:@/]+@/, ":***@")}`)
    }
    for (const line of (p.read(".env.example") ?? "").split("\n")) {
      const m = /^(NATS_[A-Z0-9_]*PASSWORD)=(.+)$/.exec(line.trim())
      if (m !== null) problems.push(`.env.example: ${m[1]} has a value; leave it empty`)
    }
    return problems
  }
)

export const natsConfVariablesSet = rule<Project>(
  "nats-conf-variables-set",
  "every $VARIABLE a NATS node's config refers to is set in its environment (nats-server stops at an unknown one)",
  (p) =>
    natsNodes(p).nodes.flatMap(({ name, config }) => {
      const env = environmentOf(p.file.services[name]!)
      return [...new Set([...entries(config)].map(([, value]) => VARIABLE.exec(value)?.[1]).filter((v) => v !== undefined))]
        .filter((variable) => (env[variable] ?? "") === "").map((variable) => `${name}: $${variable} is not set in its environment`)
    })
)

export const natsConfVariablesQuoted = rule<Project>(
  "nats-conf-variables-quoted",
  "every value a NATS config's $VARIABLE takes is double-quoted in the environment (nats-server parses it as config: an unquoted password starting with a digit is a number, and fails)",
  (p) =>
    natsNodes(p).nodes.flatMap(({ name, config }) => {
      const env = environmentOf(p.file.services[name]!)
      return [...new Set([...entries(config)].map(([, value]) => VARIABLE.exec(value)?.[1]).filter((v) => v !== undefined))]
        .filter((variable) => env[variable] !== undefined && !/^"[^"\\]*"$/.test(env[variable]!))
        .map((variable) => `${name}: ${variable} is not a double-quoted value (write it as '"\${…}"')`)
    })
)

export const natsTlsComplete = rule<Project>(
  "nats-tls-complete",
  "TLS is optional; a node with a tls block names its certificate and key, and the gateways then verify it (NATS_TLS_CA)",
  (p) => {
    const withTls = natsNodes(p).nodes.filter(({ config }) => get(config, "tls") !== undefined)
    const problems = withTls.flatMap(({ name, config }) =>
      ["cert_file", "key_file"].filter((key) => text(get(config, "tls", key)) === undefined).map((key) => `${name}: tls block without ${key}`))
    if (withTls.length > 0) {
      for (const gateway of gatewaysOf(p.file)) {
        const env = environmentOf(p.file.services[gateway]!)
        if ((env.NATS_TLS_CA ?? "") === "") problems.push(`${gateway}: NATS speaks TLS but NATS_TLS_CA is not set (the gateway cannot verify it)`)
      }
    }
    return problems
  }
)
