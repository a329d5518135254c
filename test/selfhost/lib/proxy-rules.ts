/**
 * Rules for the one way in: the nginx service of compose.yaml read together with its config
 * (deploy/nginx/loket.conf, mounted into /etc/nginx/conf.d/, so its top level is nginx's http block).
 */
import { type Project, environmentOf, gatewaysOf, mountsOf, portsOf, servicesWithImage } from "./compose-file.ts"
import { type Directive, effective, findAll, locationFor, parseNginxConf, sizeInBytes, timeInSeconds } from "./nginx-conf.ts"
import { rule } from "./rule.ts"

interface Proxy { readonly service: string; readonly http: Directive[]; readonly server: Directive }

function proxyOf(p: Project): Proxy | string {
  const [service, ...more] = servicesWithImage(p.file, "nginx")
  if (service === undefined || more.length > 0) return `expected one nginx service, found ${servicesWithImage(p.file, "nginx").length}`
  const mount = mountsOf(p.file.services[service]!).find((m) => m.type === "bind" && /^\/etc\/nginx\/conf\.d\/[^/]+\.conf$/.test(m.target))
  const text = mount && p.read(mount.source)
  if (text === undefined) return `${service}: no config file is mounted into /etc/nginx/conf.d/`
  const http = parseNginxConf(text)
  const servers = http.filter((d) => d.name === "server")
  if (servers.length !== 1) return `${service}: expected one server block, found ${servers.length}`
  return { service, http, server: servers[0]! }
}

const withProxy = (check: (proxy: Proxy, p: Project) => string[]) => (p: Project) => {
  const proxy = proxyOf(p)
  return typeof proxy === "string" ? [proxy] : check(proxy, p)
}

const upstreamNamed = (http: ReadonlyArray<Directive>, target: string | undefined) =>
  http.find((d) => d.name === "upstream" && target !== undefined && target === `http://${d.args[0]}`)

export const proxyUpstreams = rule<Project>(
  "proxy-upstreams",
  "nginx balances round-robin over every gateway, and its upstream servers are compose services on their PORT",
  withProxy(({ http, server }, p) => {
    const upstream = upstreamNamed(http, effective(http, server, "/", "proxy_pass")?.[0])
    if (upstream === undefined) return ["location / does not proxy_pass to an upstream block"]
    const members = (upstream.block ?? []).filter((d) => d.name === "server").map((d) => d.args[0] ?? "")
    const problems = members.flatMap((member) => {
      const [host = "", port = "80"] = member.split(":")
      const service = p.file.services[host]
      if (service === undefined) return [`upstream server ${member}: no compose service ${host}`]
      const listens = environmentOf(service).PORT ?? "8080"
      return port === listens ? [] : [`upstream server ${member}: ${host} listens on ${listens}`]
    })
    const hosts = members.map((m) => m.split(":")[0])
    const sticky = (upstream.block ?? []).filter((d) => ["ip_hash", "hash", "sticky"].includes(d.name)).map((d) => d.name)
    return [
      ...problems,
      ...gatewaysOf(p.file).filter((g) => !hosts.includes(g)).map((g) => `${g} is not in upstream ${upstream.args[0]}`),
      ...sticky.map((name) => `upstream ${upstream.args[0]} uses ${name}, not round-robin`)
    ]
  })
)

export const proxySseUnbuffered = (path: string, minReadTimeoutSeconds: number) =>
  rule<Project>("proxy-sse-unbuffered", `nginx passes ${path} (Server-Sent Events) unbuffered, with a read timeout of ${minReadTimeoutSeconds} s or more`,
    withProxy(({ http, server }) => {
      const location = locationFor(server, path)
      const buffering = effective(http, server, path, "proxy_buffering")?.[0] ?? "on"
      const timeout = timeInSeconds(effective(http, server, path, "proxy_read_timeout")?.[0] ?? "60s")
      return [
        ...(location && effective(http, server, path, "proxy_pass") ? [] : [`no location proxies ${path}`]),
        ...(buffering === "off" ? [] : [`${path}: proxy_buffering is ${buffering}`]),
        ...(timeout >= minReadTimeoutSeconds ? [] : [`${path}: proxy_read_timeout is ${timeout} s`])
      ]
    }))

export const proxyBodyLimits = (limits: Readonly<Record<string, number>>) =>
  rule<Project>("proxy-body-limits", "nginx lets every request body through that the gateway itself accepts", withProxy(({ http, server }) =>
    Object.entries(limits).flatMap(([path, bytes]) => {
      const size = effective(http, server, path, "client_max_body_size")?.[0] ?? "1m"
      return sizeInBytes(size) >= bytes ? [] : [`${path}: client_max_body_size ${size} is below ${bytes} bytes`]
    })))

export const proxyPassesSignature = rule<Project>(
  "proxy-passes-signature",
  "nginx passes X-Hub-Signature-256 and the raw body untouched",
  withProxy(({ http }) => [
    ...findAll(http, "proxy_set_header").filter((d) => d.args[0]?.toLowerCase() === "x-hub-signature-256").map(() => "proxy_set_header X-Hub-Signature-256 rewrites the signature"),
    ...findAll(http, "proxy_pass_request_headers").filter((d) => d.args[0] === "off").map(() => "proxy_pass_request_headers off drops the signature"),
    ...findAll(http, "proxy_pass_request_body").filter((d) => d.args[0] === "off").map(() => "proxy_pass_request_body off drops the body"),
    ...findAll(http, "proxy_set_body").map(() => "proxy_set_body replaces the signed body")
  ])
)

export const proxyListensOnPublishedPort = rule<Project>("proxy-listens-on-published-port", "nginx listens on the container port the proxy service publishes", withProxy(({ service, server }, p) => {
  const listens = (server.block ?? []).filter((d) => d.name === "listen").map((d) => d.args[0]?.split(":").at(-1))
  const targets = portsOf(p.file.services[service]!).map((port) => port.target)
  return targets.length > 0 && targets.every((t) => listens.includes(t)) ? [] : [`publishes ${targets.join(", ") || "nothing"}, nginx listens on ${listens.join(", ")}`]
}))
