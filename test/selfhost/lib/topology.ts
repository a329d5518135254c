/**
 * The compose cluster's own config files, rewritten to run on one machine without Docker: only
 * ports, paths and host names change (compose service names become 127.0.0.1 and a port of
 * their own). Accounts, credentials, cluster and JetStream settings stay as committed — except
 * what the installed servers are too old to know, which is taken out and said so (`adapted`).
 */
import { type Project, environmentOf } from "./compose-file.ts"

export interface NodePorts { readonly client: number; readonly cluster: number; readonly monitor: number }

export interface Rewritten { readonly text: string; readonly adapted: ReadonlyArray<string> }

/** `major.minor.patch` of `nats-server --version` / `nginx -v` output. */
export function versionOf(output: string): [number, number, number] {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(output)
  return m === null ? [0, 0, 0] : [Number(m[1]), Number(m[2]), Number(m[3])]
}

const atLeast = (v: readonly number[], want: readonly number[]) => {
  for (let i = 0; i < 3; i++) if (v[i] !== want[i]) return v[i]! > want[i]!
  return true
}

/** A node's deploy/nats/nats-N.conf for loopback: its ports, its store dir. */
export function rewriteNatsConf(text: string, ports: NodePorts, storeDir: string, serverVersion: readonly number[]): Rewritten {
  const adapted: string[] = []
  let out = text
    .replace(/^listen: 0\.0\.0\.0:4222$/m, `listen: 127.0.0.1:${ports.client}`)
    .replace(/^http_port: 8222$/m, `http: "127.0.0.1:${ports.monitor}"`)
    .replace(/^(\s*)store_dir: \/data$/m, `$1store_dir: "${storeDir}"`)
    .replace(/^(\s*)listen: 0\.0\.0\.0:6222$/m, `$1listen: 127.0.0.1:${ports.cluster}`)
  for (const [from, what] of [[`127.0.0.1:${ports.client}`, "client listen"], [`127.0.0.1:${ports.monitor}`, "monitoring port"], [storeDir, "store_dir"], [`127.0.0.1:${ports.cluster}`, "cluster listen"]]) {
    if (!out.includes(from!)) throw new Error(`the NATS config changed: its ${what} line is not where the test expects it`)
  }
  // `sync_interval` came with nats-server 2.10; Debian bookworm ships 2.9. The compose image (2.12) has it.
  if (!atLeast(serverVersion, [2, 10, 0]) && /^\s*sync_interval: always$/m.test(out)) {
    out = out.replace(/^\s*sync_interval: always$/m, "")
    adapted.push(`nats-server ${serverVersion.join(".")} does not know jetstream.sync_interval (2.10+): left out, so this run does not fsync each write`)
  }
  return { text: out, adapted }
}

/** deploy/nginx/loket.conf for loopback: the gateways' addresses, the proxy's port. */
export function rewriteNginxConf(text: string, gateways: Readonly<Record<string, number>>, listenPort: number, nginxVersion: readonly number[]): Rewritten {
  const adapted: string[] = []
  let out = text.replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${listenPort};`)
  for (const [name, port] of Object.entries(gateways)) {
    const before = out
    out = out.replace(new RegExp(`server ${name}:8080 `), `server 127.0.0.1:${port} `)
    if (out === before) throw new Error(`the nginx config changed: no upstream server ${name}:8080`)
  }
  if (!out.includes(`listen 127.0.0.1:${listenPort};`)) throw new Error("the nginx config changed: no `listen 80;`")
  // Docker's DNS is not here, and every upstream is an address now: nothing to resolve.
  out = out.replace(/^resolver 127\.0\.0\.11 [^;]*;$/m, "")
  // Upstream `resolve` is open-source nginx from 1.27.3; Debian bookworm ships 1.22. On an address it does nothing anyway.
  if (!atLeast(nginxVersion, [1, 27, 3])) {
    out = out.replace(/ resolve( |;)/g, "$1")
    adapted.push(`nginx ${nginxVersion.join(".")} does not know the upstream parameter resolve (1.27.3+): left out (the upstreams are addresses here)`)
  }
  return { text: out, adapted }
}

/** The http-level wrapper nginx needs around loket.conf (in the image: nginx.conf includes conf.d). */
export function nginxMainConf(prefix: string, include: string): string {
  return [
    "worker_processes 1;",
    `pid ${prefix}/nginx.pid;`,
    "daemon off;",
    "events { worker_connections 512; }",
    "http {",
    "  access_log off;",
    `  client_body_temp_path ${prefix}/client_body;`,
    `  proxy_temp_path ${prefix}/proxy;`,
    `  fastcgi_temp_path ${prefix}/fastcgi;`,
    `  uwsgi_temp_path ${prefix}/uwsgi;`,
    `  scgi_temp_path ${prefix}/scgi;`,
    `  include ${include};`,
    "}",
    ""
  ].join("\n")
}

/** A gateway's environment as compose.yaml gives it, with NATS and PostgreSQL addresses rewritten for loopback. */
export function gatewayEnvironment(
  project: Project,
  service: string,
  rewrite: { readonly natsClientPorts: Readonly<Record<string, number>>; readonly databaseUrl: string; readonly mediaDir: string }
): Record<string, string> {
  const env = { ...environmentOf(project.file.services[service]!) }
  const natsUrl = env.NATS_URL ?? ""
  env.NATS_URL = natsUrl.split(",").map((url) => {
    const m = /^(nats|tls):\/\/([^:/]+):4222$/.exec(url.trim())
    const port = m === null ? undefined : rewrite.natsClientPorts[m[2]!]
    if (port === undefined) throw new Error(`${service}: NATS_URL entry ${url} names no NATS node of compose.yaml`)
    return `${m![1]}://127.0.0.1:${port}`
  }).join(",")
  env.DATABASE_URL = rewrite.databaseUrl
  env.LOKET_MEDIA_DIR = rewrite.mediaDir
  return env
}

/** The `$NATS_…` values a NATS node gets from compose.yaml, its route URLs pointed at the loopback route ports. */
export function natsEnvironment(project: Project, service: string, clusterPorts: Readonly<Record<string, number>>): Record<string, string> {
  const env = { ...environmentOf(project.file.services[service]!) }
  for (const [key, value] of Object.entries(env)) {
    const m = /^("?)(nats-route:\/\/[^@]+@)([^:/]+):6222("?)$/.exec(value)
    if (m === null) continue
    const port = clusterPorts[m[3]!]
    if (port === undefined) throw new Error(`${service}: ${key} routes to ${m[3]}, not a NATS node`)
    env[key] = `${m[1]}${m[2]}127.0.0.1:${port}${m[4]}`
  }
  return env
}
