/**
 * Rules for the NATS nodes of compose.yaml, read together with each node's config file
 * (deploy/nats/nats-N.conf, bind-mounted where the node's `--config` points).
 */
import { type Project, commandOf, environmentOf, healthcheckText, mountsOf, servicesWithImage } from "./compose-file.ts"
import { ownVolumeHolding } from "./compose-rules.ts"
import { type NatsMap, get, parseNatsConf } from "./nats-conf.ts"
import { rule } from "./rule.ts"

export interface NatsNode {
  readonly name: string
  readonly config: NatsMap
  /** cluster.routes, a `$VARIABLE` item read from the service's environment (as nats-server does). */
  readonly routes: string[]
}

/** Each NATS service with its parsed config, or why it has none. */
export function natsNodes(p: Project): { nodes: NatsNode[]; problems: string[] } {
  const nodes: NatsNode[] = []
  const problems: string[] = []
  for (const name of servicesWithImage(p.file, "nats")) {
    const command = commandOf(p.file.services[name]!)
    const at = command.findIndex((arg) => arg === "--config" || arg === "-c")
    const path = at < 0 ? undefined : command[at + 1]
    const mount = mountsOf(p.file.services[name]!).find((m) => m.type === "bind" && m.target === path)
    const text = mount === undefined ? undefined : p.read(mount.source)
    if (path === undefined) problems.push(`${name}: its command names no config file (--config)`)
    else if (text === undefined) problems.push(`${name}: no config file is mounted at ${path}`)
    else {
      try {
        const config = parseNatsConf(text)
        const env = environmentOf(p.file.services[name]!)
        const listed = get(config, "cluster", "routes")
        // nats-server reads an environment value as config: a double-quoted one is the string inside.
        const fromEnv = (name: string) => (env[name] ?? "").replace(/^"(.*)"$/, "$1")
        const routes = (Array.isArray(listed) ? listed : []).map((r) => typeof r === "string" ? (r.startsWith("$") ? fromEnv(r.slice(1)) : r) : "")
        nodes.push({ name, config, routes })
      } catch (e) { problems.push(`${name}: ${(e as Error).message}`) }
    }
  }
  return { nodes, problems }
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

export const natsThreeNodes = rule<Project>("nats-three-nodes", "three NATS nodes, each with a readable config file", (p) => {
  const count = servicesWithImage(p.file, "nats").length
  return [...(count === 3 ? [] : [`${count} NATS nodes; expected 3`]), ...natsNodes(p).problems]
})

export const natsFsyncAlways = rule<Project>("nats-fsync-always", "every NATS node fsyncs each write before acknowledging it (jetstream.sync_interval: always)", (p) =>
  natsNodes(p).nodes.flatMap(({ name, config }) => {
    const sync = text(get(config, "jetstream", "sync_interval") ?? get(config, "jetstream", "sync"))
    return sync === "always" ? [] : [`${name}: jetstream.sync_interval is ${sync ?? "not set (NATS' default fsyncs every 2 minutes)"}; expected always`]
  }))

export const natsOwnVolume = rule<Project>("nats-own-volume", "every NATS node keeps its JetStream store on a named volume of its own", (p) =>
  natsNodes(p).nodes.flatMap(({ name, config }) => {
    const storeDir = text(get(config, "jetstream", "store_dir"))
    if (storeDir === undefined) return [`${name}: jetstream.store_dir is not set (NATS' default is under /tmp)`]
    return ownVolumeHolding(p, name, storeDir) ? [] : [`${name}: ${storeDir} is not on a volume of its own`]
  }))

export const natsRoutes = rule<Project>("nats-routes", "every NATS node routes to the other nodes, under one cluster name and its own server name", (p) => {
  const { nodes } = natsNodes(p)
  const names = nodes.map((n) => n.name)
  const clusters = new Set(nodes.map((n) => text(get(n.config, "cluster", "name"))))
  const serverNames = nodes.map((n) => text(get(n.config, "server_name")))
  return [
    ...(clusters.size === 1 && !clusters.has(undefined) ? [] : [`cluster names differ or are missing: ${[...clusters].join(", ")}`]),
    ...(serverNames.every((s) => s !== undefined) && new Set(serverNames).size === nodes.length ? [] : [`server names missing or repeated: ${serverNames.join(", ")}`]),
    ...nodes.flatMap(({ name, routes }) => {
      const hosts = routes.map((r) => /^[a-z-]+:\/\/(?:[^@/]*@)?([^:/]+)/.exec(r)?.[1] ?? "(unreadable)")
      return [
        ...names.filter((other) => other !== name && !hosts.includes(other)).map((other) => `${name}: no route to ${other}`),
        ...hosts.filter((host) => !names.includes(host)).map((host) => `${name}: route to ${host}, which is not a NATS node`)
      ]
    })
  ]
})

export const natsHealthcheck = rule<Project>("nats-healthcheck", "every NATS node's health check asks its monitoring port for /healthz", (p) =>
  natsNodes(p).nodes.flatMap(({ name, config }) => {
    const port = text(get(config, "http_port") ?? get(config, "monitor_port"))
    if (port === undefined) return [`${name}: no monitoring port (http_port)`]
    return healthcheckText(p.file.services[name]!)?.includes(`:${port}/healthz`) ? [] : [`${name}: health check does not ask :${port}/healthz`]
  }))
