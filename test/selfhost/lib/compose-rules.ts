/**
 * Rules for Loket's compose files beyond the schema: what an IT team would notice when broken
 * (a second open port, a gateway that cannot reach NATS, a password that does not match).
 * Roles follow from the images: services built from the Dockerfile are gateways,
 * `postgres:` is the database, `nats:` are the NATS nodes, `nginx:` is the proxy.
 */
import {
  type Project, dependenciesOf, environmentOf, gatewaysOf, healthcheckText, mountsOf, portsOf, servicesWithImage
} from "./compose-file.ts"
import { parseTrustedProxies } from "../../../config/trustedProxies.ts"
import { rule } from "./rule.ts"

const parseUrl = (text: string): URL | null => {
  try { return new URL(text) } catch { return null }
}

const isUnder = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith("/") ? dir : `${dir}/`)

/** Named volumes mounted by more than one service. */
function sharedVolumes(project: Project): Set<string> {
  const owners = new Map<string, number>()
  for (const service of Object.values(project.file.services)) {
    for (const m of mountsOf(service)) if (m.type === "volume" && m.source) owners.set(m.source, (owners.get(m.source) ?? 0) + 1)
  }
  return new Set([...owners].filter(([, count]) => count > 1).map(([name]) => name))
}

/** The named volume of `service` holding `path`, if it is that service's alone. */
export function ownVolumeHolding(project: Project, service: string, path: string): string | undefined {
  const shared = sharedVolumes(project)
  return mountsOf(project.file.services[service]!)
    .find((m) => m.type === "volume" && m.source !== "" && !shared.has(m.source) && isUnder(path, m.target))?.source
}

export const singleWayIn = (label: string, owner: (p: Project) => string | undefined) =>
  rule<Project>(`single-way-in (${label})`, `exactly one published port, on ${label}`, (p) => {
    const expected = owner(p)
    const published = Object.entries(p.file.services).flatMap(([name, s]) => portsOf(s).map(() => name))
    if (published.length === 1 && published[0] === expected) return []
    return [`published ports: ${published.join(", ") || "none"}; expected exactly one, on ${expected ?? "(no such service)"}`]
  })

export const imagesPinned = rule<Project>("images-pinned", "every pulled image has a tag, and not latest (hadolint DL3006/DL3007 for compose)", (p) =>
  Object.entries(p.file.services).flatMap(([name, s]) => {
    if (s.build !== undefined) return []
    const image = s.image ?? ""
    const tag = /^[^@]+:([^:/@]+)$/.exec(image)?.[1]
    if (image === "") return [`${name}: neither image nor build`]
    if (image.includes("@sha256:")) return []
    return tag === undefined ? [`${name}: ${image} has no tag`] : tag === "latest" ? [`${name}: ${image} uses latest`] : []
  }))

export const dependenciesExist = rule<Project>("dependencies-exist", "depends_on names existing services", (p) =>
  Object.entries(p.file.services).flatMap(([name, s]) =>
    Object.keys(dependenciesOf(s)).filter((dep) => !(dep in p.file.services)).map((dep) => `${name}: depends on unknown service ${dep}`)))

export const healthyDependenciesHaveHealthchecks = rule<Project>(
  "healthy-dependencies-have-healthchecks",
  "a service waited for as service_healthy has a health check (its own, or the Dockerfile's HEALTHCHECK for built services)",
  (p) => Object.entries(p.file.services).flatMap(([name, s]) =>
    Object.entries(dependenciesOf(s))
      .filter(([dep, condition]) => condition === "service_healthy" && dep in p.file.services)
      .filter(([dep]) => p.file.services[dep]!.build === undefined && healthcheckText(p.file.services[dep]!) === undefined)
      .map(([dep]) => `${name}: waits for ${dep} to be healthy, but ${dep} has no health check`)))

export const namedVolumesDeclared = rule<Project>("named-volumes-declared", "every named volume is declared under top-level volumes", (p) =>
  Object.entries(p.file.services).flatMap(([name, s]) =>
    mountsOf(s).filter((m) => m.type === "volume" && m.source !== "" && !(m.source in (p.file.volumes ?? {})))
      .map((m) => `${name}: volume ${m.source} is not declared`)))

export const bindMountsExist = rule<Project>("bind-mounts-exist", "every bind-mounted file exists beside the compose file (else Docker mounts an empty directory)", (p) =>
  Object.entries(p.file.services).flatMap(([name, s]) =>
    mountsOf(s).filter((m) => m.type === "bind" && p.read(m.source) === undefined).map((m) => `${name}: ${m.source} does not exist`)))

export const gatewayKnownEnv = (known: ReadonlySet<string>) =>
  rule<Project>("gateway-known-env", "every variable a gateway gets is one the gateway reads", (p) =>
    gatewaysOf(p.file).flatMap((name) =>
      Object.keys(environmentOf(p.file.services[name]!)).filter((key) => !known.has(key)).map((key) => `${name}: ${key} is not read by the gateway`)))

export const gatewayListensOnAllInterfaces = rule<Project>("gateway-listens-on-all-interfaces", "HOST lets the gateway be reached from outside its container", (p) =>
  gatewaysOf(p.file).flatMap((name) => {
    const host = environmentOf(p.file.services[name]!).HOST
    return host === undefined || host === "0.0.0.0" || host === "::" ? [] : [`${name}: HOST=${host}: unreachable from other containers`]
  }))

export const embeddedDatabaseOnVolume = rule<Project>("embedded-database-on-volume", "the SQLite file lies on the gateway's own named volume", (p) =>
  gatewaysOf(p.file).flatMap((name) => {
    const url = environmentOf(p.file.services[name]!).DATABASE_URL ?? "file:/data/loket.db"
    const path = url.replace(/^file:/, "")
    if (!url.startsWith("file:")) return [`${name}: DATABASE_URL=${url} is not a SQLite file`]
    return ownVolumeHolding(p, name, path) ? [] : [`${name}: ${path} is not on a volume of its own (lost when the container is recreated)`]
  }))

export const gatewayReplicas = rule<Project>("gateway-replicas", "at least two gateways, each with its own instance id and its own media volume", (p) => {
  const gateways = gatewaysOf(p.file)
  const ids = gateways.map((name) => environmentOf(p.file.services[name]!).LOKET_INSTANCE_ID).filter((id) => id !== undefined)
  return [
    ...(gateways.length >= 2 ? [] : [`${gateways.length} gateway(s); cluster mode runs at least two`]),
    ...(new Set(ids).size === ids.length ? [] : [`LOKET_INSTANCE_ID repeats: ${ids.join(", ")}`]),
    ...gateways.flatMap((name) => {
      const media = environmentOf(p.file.services[name]!).LOKET_MEDIA_DIR
      if (media === undefined) return [`${name}: LOKET_MEDIA_DIR is not set`]
      return ownVolumeHolding(p, name, media) ? [] : [`${name}: ${media} is not on a volume of its own`]
    })
  ]
})

export const gatewaysAgree = rule<Project>("gateways-agree", "every gateway gets the same environment but its LOKET_INSTANCE_ID; LOKET_PARTITIONS is a positive integer", (p) => {
  const envs = gatewaysOf(p.file).map((name) => {
    const { LOKET_INSTANCE_ID: _id, ...rest } = environmentOf(p.file.services[name]!)
    return { name, rest }
  })
  const first = envs[0]
  if (first === undefined) return ["no gateways"]
  const keys = new Set(envs.flatMap((e) => Object.keys(e.rest)))
  const partitions = first.rest.LOKET_PARTITIONS
  return [
    ...[...keys].flatMap((key) => envs.filter((e) => e.rest[key] !== first.rest[key]).map((e) => `${e.name}: ${key} differs from ${first.name}'s`)),
    ...(partitions === undefined || /^[1-9]\d*$/.test(partitions) ? [] : [`LOKET_PARTITIONS=${partitions} is not a positive integer`])
  ]
})

export const gatewayClusterEnv = rule<Project>(
  "gateway-cluster-env",
  "every gateway: LOKET_NATS_REPLICAS=3 (one per NATS node), NATS_URL naming every node, DATABASE_URL matching the PostgreSQL service",
  (p) => {
    const nats = servicesWithImage(p.file, "nats")
    return gatewaysOf(p.file).flatMap((name) => {
      const env = environmentOf(p.file.services[name]!)
      const problems: string[] = []
      if (env.LOKET_NATS_REPLICAS !== "3" || nats.length !== 3) problems.push(`LOKET_NATS_REPLICAS=${env.LOKET_NATS_REPLICAS ?? "(unset)"} with ${nats.length} NATS nodes; expected 3 and 3`)
      const servers = (env.NATS_URL ?? "").split(",").filter((s) => s !== "").map((s) => parseUrl(s.trim()))
      const hosts = servers.map((u) => ((u?.protocol === "nats:" || u?.protocol === "tls:") && (u.port === "" || u.port === "4222") ? u.hostname : "(bad URL)"))
      if ([...nats].sort().join() !== [...new Set(hosts)].sort().join()) problems.push(`NATS_URL names ${hosts.join(", ") || "nothing"}; expected ${nats.join(", ")}`)
      problems.push(...databaseUrlProblems(p, env.DATABASE_URL))
      return problems.map((problem) => `${name}: ${problem}`)
    })
  }
)

function databaseUrlProblems(p: Project, databaseUrl: string | undefined): string[] {
  const url = parseUrl(databaseUrl ?? "")
  if (url === null || !/^postgres(ql)?:$/.test(url.protocol)) return [`DATABASE_URL=${databaseUrl ?? "(unset)"} is not postgres://…`]
  const db = p.file.services[url.hostname]
  if (db === undefined || !servicesWithImage(p.file, "postgres").includes(url.hostname)) return [`DATABASE_URL names host ${url.hostname}, not a PostgreSQL service`]
  const env = environmentOf(db)
  const user = env.POSTGRES_USER || "postgres"
  const expected = { user, password: env.POSTGRES_PASSWORD ?? "", database: env.POSTGRES_DB || user }
  const actual = { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: url.pathname.slice(1) }
  return (["user", "password", "database"] as const)
    .filter((key) => expected[key] !== actual[key])
    .map((key) => `DATABASE_URL's ${key} does not match the ${url.hostname} service's`)
}

export const gatewayDependsOnHealthy = rule<Project>("gateway-depends-on-healthy", "every gateway waits for healthy PostgreSQL and every healthy NATS node", (p) => {
  const needed = [...servicesWithImage(p.file, "postgres"), ...servicesWithImage(p.file, "nats")]
  return gatewaysOf(p.file).flatMap((name) => {
    const deps = dependenciesOf(p.file.services[name]!)
    return needed.filter((dep) => deps[dep] !== "service_healthy").map((dep) => `${name}: does not wait for ${dep} to be healthy`)
  })
})

export const postgresDurable = rule<Project>("postgres-durable", "one PostgreSQL: data on a named volume, a pg_isready health check, a password", (p) => {
  const names = servicesWithImage(p.file, "postgres")
  if (names.length !== 1) return [`${names.length} PostgreSQL services; expected 1`]
  const name = names[0]!
  const service = p.file.services[name]!
  return [
    ...(ownVolumeHolding(p, name, "/var/lib/postgresql/data") ? [] : [`${name}: /var/lib/postgresql/data is not on a volume of its own`]),
    ...(healthcheckText(service)?.includes("pg_isready") ? [] : [`${name}: health check does not use pg_isready`]),
    ...(environmentOf(service).POSTGRES_PASSWORD ? [] : [`${name}: POSTGRES_PASSWORD is empty`])
  ]
})

/**
 * Behind the proxy every connection comes from the proxy's address: unless the gateways believe its
 * `X-Forwarded-For` (LOKET_TRUSTED_PROXIES), the console's sign-in throttle counts every client as
 * one, and 20 failed sign-ins from anyone lock every agent out of the password form for 15 minutes.
 */
export const gatewayTrustsProxy = rule<Project>(
  "gateway-trusts-proxy",
  "every gateway behind the proxy names it in LOKET_TRUSTED_PROXIES (else the sign-in throttle counts all clients as one)",
  (p) =>
    gatewaysOf(p.file).flatMap((name) => {
      const value = environmentOf(p.file.services[name]!).LOKET_TRUSTED_PROXIES ?? ""
      if (value.trim() === "") return [`${name}: LOKET_TRUSTED_PROXIES is not set: every client counts as the proxy's address`]
      const parsed = parseTrustedProxies(value)
      return typeof parsed === "string" ? [`${name}: LOKET_TRUSTED_PROXIES: ${parsed}`] : []
    })
)

/**
 * What .env.example invites an IT team to fill in reaches every gateway: a variable the gateway
 * reads that the compose file does not pass on is silently dropped (Docker Compose only
 * interpolates .env, it does not hand it to containers), and the channel stays off.
 */
export const gatewayGetsEnvExample = (known: ReadonlySet<string>) =>
  rule<Project>("gateway-gets-env-example", "every variable .env.example names that the gateway reads reaches every gateway", (p) => {
    // Names below "--- Cluster mode only" are compose.yaml's alone.
    const cluster = gatewaysOf(p.file).some((name) => environmentOf(p.file.services[name]!).NATS_URL !== undefined)
    const lines = (p.read(".env.example") ?? "").split("\n")
    const clusterFrom = lines.findIndex((line) => line.startsWith("# --- Cluster mode only"))
    const names = (cluster || clusterFrom === -1 ? lines : lines.slice(0, clusterFrom))
      .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1]).filter((n): n is string => n !== undefined && known.has(n))
    return gatewaysOf(p.file).flatMap((name) => {
      const env = environmentOf(p.file.services[name]!)
      return names.filter((n) => !(n in env)).map((n) => `${name}: ${n} is in .env.example but not passed to the gateway`)
    })
  })
