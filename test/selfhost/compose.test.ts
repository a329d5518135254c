/**
 * The compose files, checked without a Docker engine: each parses, interpolates and validates
 * against the Compose specification's JSON schema, and keeps the rules of lib/*-rules.ts — with
 * the defaults (no .env) and with a filled-in .env. Every rule is also shown to catch a broken file.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, test } from "vitest"
import { MAX_MEDIA_BYTES } from "../../adapters/whatsapp-cloud/media/allow-list.ts"
import { type ComposeFile, type Env, type Project, interpolate, loadProject, parseCompose } from "./lib/compose-file.ts"
import { composeSchemaErrors } from "./lib/compose-schema.ts"
import {
  bindMountsExist, dependenciesExist, embeddedDatabaseOnVolume, gatewayClusterEnv, gatewayDependsOnHealthy, gatewayGetsEnvExample, gatewayKnownEnv, gatewayTrustsProxy,
  gatewayListensOnAllInterfaces, gatewayReplicas, gatewaysAgree, healthyDependenciesHaveHealthchecks, imagesPinned,
  namedVolumesDeclared, postgresDurable, singleWayIn
} from "./lib/compose-rules.ts"
import { natsClientsAuthenticate, natsConfVariablesQuoted, natsConfVariablesSet, natsNoCommittedSecret, natsRoutesAuthenticate, natsTlsComplete } from "./lib/nats-auth-rules.ts"
import { natsFsyncAlways, natsHealthcheck, natsOwnVolume, natsRoutes, natsThreeNodes } from "./lib/nats-rules.ts"
import { proxyBodyLimits, proxyListensOnPublishedPort, proxyPassesSignature, proxySseUnbuffered, proxyUpstreams } from "./lib/proxy-rules.ts"
import type { Rule } from "./lib/rule.ts"

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))

/** Variable names the gateway reads: every upper-case string literal in config/Config.ts and each channel's adapters/<channel>/config.ts … */
const configFiles = ["config/Config.ts", ...readdirSync(root("adapters"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(root(`adapters/${entry.name}/config.ts`)))
  .map((entry) => `adapters/${entry.name}/config.ts`)]
const configNames = configFiles.flatMap((file) => [...readFileSync(root(file), "utf8").matchAll(/"([A-Z][A-Z0-9_]*)"/g)].map((m) => m[1]!))
const known = new Set(configNames)

/** The NATS passwords compose.yaml requires (it refuses to start without them). */
const NATS_PASSWORDS: Env = { NATS_LOKET_PASSWORD: "9d0c41aa", NATS_SYS_PASSWORD: "51be77f0", NATS_ROUTE_PASSWORD: "c3a8e612" }

const ENVS: Record<string, Env> = {
  "with only the NATS passwords in .env": NATS_PASSWORDS,
  "with a filled-in .env": { ...NATS_PASSWORDS, POSTGRES_PASSWORD: "4f2a9c1e7b", LOKET_HTTP_PORT: "443", LOKET_PARTITIONS: "64", WHATSAPP_APP_SECRET: "s" }
}

const common: ReadonlyArray<Rule<Project>> = [
  imagesPinned, dependenciesExist, healthyDependenciesHaveHealthchecks, namedVolumesDeclared, bindMountsExist,
  gatewayKnownEnv(known), gatewayGetsEnvExample(known), gatewayListensOnAllInterfaces
]

const clusterRules: ReadonlyArray<Rule<Project>> = [
  ...common,
  singleWayIn("the proxy", (p) => Object.keys(p.file.services).find((name) => p.file.services[name]!.image?.startsWith("nginx:"))),
  natsThreeNodes, natsFsyncAlways, natsOwnVolume, natsRoutes, natsHealthcheck,
  natsClientsAuthenticate, natsRoutesAuthenticate, natsNoCommittedSecret, natsConfVariablesSet, natsConfVariablesQuoted, natsTlsComplete,
  postgresDurable, gatewayReplicas, gatewaysAgree, gatewayClusterEnv, gatewayDependsOnHealthy, gatewayTrustsProxy,
  proxyUpstreams,
  proxySseUnbuffered("/api/v1/events", 300),
  // The contract: webhook bodies up to 4 MiB are the gateway's to judge; media uploads up to its own limit.
  proxyBodyLimits({ "/webhooks/whatsapp": 4 * 1024 * 1024, "/api/v1/media": MAX_MEDIA_BYTES + 64 * 1024 }),
  proxyPassesSignature, proxyListensOnPublishedPort
]

const embeddedRules: ReadonlyArray<Rule<Project>> = [
  ...common,
  singleWayIn("the gateway", (p) => Object.keys(p.file.services).find((name) => p.file.services[name]!.build !== undefined)),
  embeddedDatabaseOnVolume
]

const FILES = [
  { file: "compose.yaml", rules: clusterRules },
  { file: "compose.embedded.yaml", rules: embeddedRules }
]

for (const { file, rules } of FILES) {
  for (const [envName, env] of Object.entries(ENVS)) {
    describe(`${file}, ${envName}`, () => {
      const project = loadProject(root(file), env)
      test("validates against the Compose specification's JSON schema", () => {
        expect(composeSchemaErrors(project.file)).toEqual([])
      })
      test.each(rules.map((r) => [r.id, r]))("%s", (_, r) => {
        expect(r.check(project), `${r.id}: ${r.title}`).toEqual([])
      })
    })
  }
}

test("compose.yaml refuses to start without the NATS passwords, naming each", () => {
  expect(() => loadProject(root("compose.yaml"), {})).toThrow(/NATS_LOKET_PASSWORD: set NATS_LOKET_PASSWORD in \.env/)
  for (const name of Object.keys(NATS_PASSWORDS)) {
    expect(() => loadProject(root("compose.yaml"), { ...NATS_PASSWORDS, [name]: "" })).toThrow(new RegExp(`${name}: set ${name}`))
  }
  // The embedded file needs no NATS.
  expect(() => loadProject(root("compose.embedded.yaml"), {})).not.toThrow()
})

test("known gateway variables come from Config.ts (the grep finds them)", () => {
  expect(configNames).toEqual(expect.arrayContaining(["NATS_URL", "DATABASE_URL", "PORT", "HOST", "WHATSAPP_APP_SECRET", "LOKET_MEDIA_DIR", "TELEGRAM_BOT_TOKEN"]))
})

test("interpolation follows Compose: defaults, required values, $$", () => {
  const env = { SET: "v", EMPTY: "" }
  expect(interpolate("${SET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d} $SET $$SET ${UNSET}", env)).toBe("v d  d v $SET ")
  expect(() => interpolate("${EMPTY:?set it}", env)).toThrow("EMPTY: set it")
})

describe("the schema check catches an invalid file", () => {
  test.each([
    ["an unknown service key", "services:\n  a:\n    image: x:1\n    prots: ['80:80']\n"],
    ["ports as a string", "services:\n  a:\n    image: x:1\n    ports: '80:80'\n"],
    ["a malformed port", "services:\n  a:\n    image: x:1\n    ports: ['80:eighty']\n"],
    ["a malformed duration", "services:\n  a:\n    image: x:1\n    healthcheck: { test: [CMD, x], interval: 5 seconds }\n"],
    ["an unknown depends_on condition", "services:\n  a:\n    image: x:1\n    depends_on: { b: { condition: service_ready } }\n  b:\n    image: x:1\n"]
  ])("%s", (_, yaml) => {
    expect(composeSchemaErrors(parseCompose(yaml))).not.toEqual([])
  })
})

/** A compose file to break at will in the examples below. */
type Loose = { services: Record<string, any>; volumes: Record<string, any> }

/** The cluster project with `change` applied to a copy of its file and `edits` applied to files beside it. */
function broken(change: (file: Loose) => void, edits: Record<string, (text: string) => string> = {}): Project {
  const original = loadProject(root("compose.yaml"), NATS_PASSWORDS)
  const file = structuredClone(original.file) as unknown as Loose
  change(file)
  const read = (path: string) => {
    const text = original.read(path)
    const edit = edits[path]
    return text === undefined || edit === undefined ? text : edit(text)
  }
  return { file: file as unknown as ComposeFile, read }
}
const svc = (file: Loose, name: string) => file.services[name]
const env = (file: Loose, name: string) => svc(file, name).environment

const BROKEN: Record<string, Project> = {
  "images-pinned": broken((f) => { svc(f, "postgres").image = "postgres" }),
  "dependencies-exist": broken((f) => { svc(f, "gateway-1").depends_on.redis = { condition: "service_started" } }),
  "healthy-dependencies-have-healthchecks": broken((f) => { delete svc(f, "postgres").healthcheck }),
  "named-volumes-declared": broken((f) => { delete f.volumes["nats-2-data"] }),
  "bind-mounts-exist": broken((f) => { svc(f, "proxy").volumes[0] = "./deploy/nginx/missing.conf:/etc/nginx/conf.d/default.conf:ro" }),
  "gateway-gets-env-example": broken((f) => { delete env(f, "gateway-1").META_APP_SECRET }),
  "gateway-known-env": broken((f) => { env(f, "gateway-2").LOKET_NATS_REPLICA = "3" }),
  "gateway-listens-on-all-interfaces": broken((f) => { env(f, "gateway-1").HOST = "127.0.0.1" }),
  "single-way-in (the proxy)": broken((f) => { svc(f, "postgres").ports = ["5432:5432"] }),
  "nats-three-nodes": broken((f) => { delete f.services["nats-3"] }),
  "nats-fsync-always": broken(() => {}, { "./deploy/nats/nats-2.conf": (t) => t.replace("sync_interval: always", "# sync_interval: always") }),
  "nats-own-volume": broken((f) => { svc(f, "nats-3").volumes[1] = "nats-1-data:/data" }),
  "nats-routes": broken(() => {}, { "./deploy/nats/nats-1.conf": (t) => t.replace("$NATS_ROUTE_NATS_3", "") }),
  "nats-clients-authenticate": broken(() => {}, { "./deploy/nats/nats-3.conf": (t) => t.replace("system_account: SYS", "system_account: SYS\nno_auth_user: loket") }),
  "nats-routes-authenticate": broken(() => {}, { "./deploy/nats/nats-2.conf": (t) => t.replace(/authorization \{[^}]*\}/, "") }),
  "nats-no-committed-secret": broken(() => {}, { "./deploy/nats/nats-1.conf": (t) => t.replace("password: $NATS_SYS_PASSWORD", "password: hunter2") }),
  "nats-conf-variables-set": broken((f) => { delete svc(f, "nats-2").environment.NATS_SYS_PASSWORD }),
  "nats-conf-variables-quoted": broken((f) => { svc(f, "nats-1").environment.NATS_LOKET_PASSWORD = "4f2a9c1e7b" }),
  "nats-tls-complete": broken(() => {}, { "./deploy/nats/nats-1.conf": (t) => t.replace("# tls {\n#   cert_file: /etc/nats/tls/server.pem", "tls {\n  cert_file: /etc/nats/tls/server.pem\n}\n#") }),
  "nats-healthcheck": broken((f) => { svc(f, "nats-1").healthcheck = { test: ["CMD", "true"] } }),
  "postgres-durable": broken((f) => { svc(f, "postgres").healthcheck.test = ["CMD", "true"] }),
  "gateway-replicas": broken((f) => { delete f.services["gateway-2"] }),
  "gateways-agree": broken((f) => { env(f, "gateway-2").LOKET_PARTITIONS = "16" }),
  "gateway-cluster-env": broken((f) => { env(f, "gateway-1").NATS_URL = "nats://nats-1:4222" }),
  "gateway-trusts-proxy": broken((f) => { delete env(f, "gateway-1").LOKET_TRUSTED_PROXIES; delete env(f, "gateway-2").LOKET_TRUSTED_PROXIES }),
  "gateway-depends-on-healthy": broken((f) => { svc(f, "gateway-2").depends_on["nats-2"].condition = "service_started" }),
  "proxy-upstreams": broken(() => {}, { "./deploy/nginx/loket.conf": (t) => t.replace(/server gateway-2:8080[^;]*;/, "") }),
  "proxy-sse-unbuffered": broken(() => {}, { "./deploy/nginx/loket.conf": (t) => t.replace("proxy_buffering off;", "") }),
  "proxy-body-limits": broken(() => {}, { "./deploy/nginx/loket.conf": (t) => t.replace("client_max_body_size 5m;", "client_max_body_size 1m;") }),
  "proxy-passes-signature": broken(() => {}, { "./deploy/nginx/loket.conf": (t) => t.replace("location / {", "location / {\n proxy_set_header X-Hub-Signature-256 \"\";") }),
  "proxy-listens-on-published-port": broken((f) => { svc(f, "proxy").ports = ["8080:8080"] })
}

describe("the NATS credential rules catch more than one way to get it wrong", () => {
  test.each([
    ["a gateway without NATS_PASSWORD", natsClientsAuthenticate, broken((f) => { delete env(f, "gateway-1").NATS_PASSWORD })],
    ["a gateway logging in as a user no account has", natsClientsAuthenticate, broken((f) => { env(f, "gateway-2").NATS_USER = "admin" })],
    ["the gateways' account as the system account", natsClientsAuthenticate, broken(() => {}, { "./deploy/nats/nats-2.conf": (t) => t.replace("system_account: SYS", "system_account: LOKET") })],
    ["a route URL without the route user", natsRoutesAuthenticate, broken((f) => { svc(f, "nats-1").environment.NATS_ROUTE_NATS_2 = "nats-route://nats-2:6222" })],
    ["a password written into compose.yaml", natsNoCommittedSecret, broken(() => {}, { "compose.yaml": (t) => t.replace(/NATS_SYS_PASSWORD: '"\$\{[^}]*\}"'/, `NATS_SYS_PASSWORD: '"hunter2"'`) })],
    ["a route URL with a written-out password", natsNoCommittedSecret, broken(() => {}, { "compose.yaml": (t) => t.replace("route:${NATS_ROUTE_PASSWORD}@nats-1", "route:hunter2@nats-1") })],
    ["a password filled in in .env.example", natsNoCommittedSecret, broken(() => {}, { ".env.example": (t) => t.replace("NATS_LOKET_PASSWORD=", "NATS_LOKET_PASSWORD=hunter2") })],
    ["TLS on the nodes, but the gateways cannot verify it", natsTlsComplete, broken(() => {}, {
      "./deploy/nats/nats-1.conf": (t) => t.replace("# tls {\n#   cert_file: /etc/nats/tls/server.pem\n#   key_file: /etc/nats/tls/server-key.pem\n# }", "tls {\n  cert_file: /a.pem\n  key_file: /a-key.pem\n}")
    })]
  ])("%s", (_, r, project) => {
    expect(r.check(project)).not.toEqual([])
  })

  test("a complete TLS setup passes", () => {
    const project = broken((f) => {
      for (const g of ["gateway-1", "gateway-2"]) env(f, g).NATS_TLS_CA = "/run/secrets/nats-ca.pem"
    }, Object.fromEntries([1, 2, 3].map((n) => [`./deploy/nats/nats-${n}.conf`, (t: string) =>
      t.replace("# tls {\n#   cert_file: /etc/nats/tls/server.pem\n#   key_file: /etc/nats/tls/server-key.pem\n# }", "tls {\n  cert_file: /a.pem\n  key_file: /a-key.pem\n}")])))
    expect(natsTlsComplete.check(project)).toEqual([])
  })
})

/** The embedded project with its YAML text edited. */
function brokenEmbedded(edit: (yaml: string) => string): Project {
  const original = loadProject(root("compose.embedded.yaml"))
  return { ...original, file: parseCompose(edit(readFileSync(root("compose.embedded.yaml"), "utf8"))) as ComposeFile }
}

const BROKEN_EMBEDDED: Record<string, Project> = {
  "single-way-in (the gateway)": brokenEmbedded((y) => y.replace(`- "8080:8080"`, `- "8080:8080"\n      - "9229:9229"`)),
  "embedded-database-on-volume": brokenEmbedded((y) => y.replace("file:/data/loket.db", "file:/app/loket.db"))
}

describe("every rule catches the breakage it is for", () => {
  const all = [...new Map([...clusterRules, ...embeddedRules].map((r) => [r.id, r])).values()]
  test.each(all.map((r) => [r.id, r]))("%s", (id, r) => {
    const project = BROKEN[id] ?? BROKEN_EMBEDDED[id]
    expect(project, `no broken example for ${id}`).toBeDefined()
    expect(r.check(project!)).not.toEqual([])
  })
})
