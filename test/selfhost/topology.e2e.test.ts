/**
 * compose.yaml's cluster, run for real without Docker, from the same config files: three
 * nats-server processes from deploy/nats/nats-{1,2,3}.conf (clustered, with the accounts and
 * passwords), nginx from deploy/nginx/loket.conf, two gateways with compose.yaml's environment,
 * and PostgreSQL. Signed webhooks go through nginx while the event stream's leader is killed
 * with -9; every webhook that got 200 is a message in the API afterwards. A client without
 * credentials, with a wrong password, or a server without the route password is refused, and the
 * gateways' credentials do not reach the system account. Loopback only; everything stops itself.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { connect, type NatsConnection } from "nats"
import { afterAll, describe, expect, it } from "vitest"
import { ADMIN_TOKEN, APP_SECRET, type ChildGateway, eventually, startChildGateway, tempDir } from "../support/gateway.ts"
import { findBinary, freePort, freshPostgresDatabase, isListening, type NatsServer, startNatsServer } from "../support/services.ts"
import { allConversations, allMessages, fixtures, postWebhook } from "../support/whatsapp.ts"
import { loadProject } from "./lib/compose-file.ts"
import { gatewayEnvironment, natsEnvironment, nginxMainConf, type NodePorts, rewriteNatsConf, rewriteNginxConf, versionOf } from "./lib/topology.ts"

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const NODES = ["nats-1", "nats-2", "nats-3"] as const
const GATEWAYS = ["gateway-1", "gateway-2"] as const
/** Webhooks in the run; CONCURRENCY at a time; the stream leader is killed after KILL_AFTER of them. */
const WEBHOOKS = 300
const CONCURRENCY = 10
const KILL_AFTER = 100
const RESIDENTS = 50

const cleanups: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

const binary = (name: string) => {
  const path = findBinary(name, ["/usr/sbin", "/usr/local/sbin"])
  if (path === undefined) throw new Error(`${name} is not installed: apt-get install -y ${name} (.ci/run does)`)
  return path
}

/** The .env this run uses: fresh passwords, letters and digits as .env.example asks. */
const secret = () => randomBytes(18).toString("hex")
const dotEnv = {
  // Starting with a digit, as `openssl rand -hex` often does: nats-server must still read it as a string.
  NATS_LOKET_PASSWORD: `4${secret()}`, NATS_SYS_PASSWORD: `0${secret()}`, NATS_ROUTE_PASSWORD: `7${secret()}`,
  WHATSAPP_APP_SECRET: APP_SECRET, LOKET_ADMIN_TOKEN: ADMIN_TOKEN
}

interface Topology {
  readonly nats: Record<string, NatsServer>
  readonly ports: Record<string, NodePorts>
  readonly gateways: Array<ChildGateway>
  readonly proxyUrl: string
  readonly adapted: ReadonlyArray<string>
}

async function monitor<T>(ports: NodePorts, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${ports.monitor}${path}`)
  return (await res.json()) as T
}

async function startNginx(prefix: string, mainConf: string, port: number): Promise<() => Promise<void>> {
  for (const dir of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(prefix, dir), { recursive: true })
  const child: ChildProcess = spawn(binary("nginx"), ["-p", prefix, "-e", join(prefix, "error.log"), "-c", mainConf], { stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  child.stdout!.on("data", (c) => (out += c))
  child.stderr!.on("data", (c) => (out += c))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  // SIGTERM: nginx's fast shutdown, which stops its workers too (SIGKILL would orphan them).
  const stop = async () => {
    child.kill("SIGTERM")
    await exited
  }
  const killOnExit = () => child.kill("SIGTERM")
  process.once("exit", killOnExit)
  let gone = false
  void exited.then(() => (gone = true))
  await eventually(async () => gone || await isListening(port), (up) => up, 20_000)
  if (gone) throw new Error(`nginx did not start:\n${out}\n${readFileSync(join(prefix, "error.log"), "utf8")}`)
  return stop
}

async function startTopology(): Promise<Topology> {
  const project = loadProject(root("compose.yaml"), dotEnv)
  const natsVersion = versionOf(execFileSync(binary("nats-server"), ["--version"]).toString())
  const nginxVersion = versionOf(spawnSync(binary("nginx"), ["-v"]).stderr.toString()) // nginx -v prints to stderr
  const adapted: string[] = []
  const dir = tempDir("loket-topology-")
  // Registered first, so it runs last: after every process that writes there has stopped.
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }))

  // Three NATS nodes from their committed files, ports remapped.
  const ports: Record<string, NodePorts> = {}
  for (const node of NODES) ports[node] = { client: await freePort(), cluster: await freePort(), monitor: await freePort() }
  const clusterPorts = Object.fromEntries(NODES.map((n) => [n, ports[n]!.cluster]))
  const nats: Record<string, NatsServer> = {}
  await Promise.all(NODES.map(async (node) => {
    const conf = rewriteNatsConf(readFileSync(root(`deploy/nats/${node}.conf`), "utf8"), ports[node]!, join(dir, `${node}-data`), natsVersion)
    adapted.push(...conf.adapted)
    const file = join(dir, `${node}.conf`)
    writeFileSync(file, conf.text)
    nats[node] = await startNatsServer({ configFile: file, port: ports[node]!.client, env: natsEnvironment(project, node, clusterPorts) })
    cleanups.push(() => nats[node]!.dispose())
  }))
  // Clustered: each node routes to the two others and its JetStream is current.
  await eventually(() => Promise.all(NODES.map(async (node) => ({
    routes: (await monitor<{ num_routes: number }>(ports[node]!, "/routez")).num_routes,
    healthy: (await fetch(`http://127.0.0.1:${ports[node]!.monitor}/healthz`)).status
  }))), (nodes) => nodes.every((n) => n.routes === 2 && n.healthy === 200), 60_000)

  // PostgreSQL and two gateways with compose.yaml's environment.
  const database = await freshPostgresDatabase()
  cleanups.push(() => database.drop())
  const natsClientPorts = Object.fromEntries(NODES.map((n) => [n, ports[n]!.client]))
  const gatewayPorts: Record<string, number> = {}
  const gateways: Array<ChildGateway> = []
  for (const service of GATEWAYS) {
    const env = gatewayEnvironment(project, service, { natsClientPorts, databaseUrl: database.url, mediaDir: join(dir, `${service}-media`) })
    expect(env.LOKET_NATS_REPLICAS).toBe("3")
    expect(env.NATS_USER).toBe("loket")
    gatewayPorts[service] = await freePort()
    const gateway = await startChildGateway(env, "node", gatewayPorts[service])
    cleanups.push(() => gateway.kill())
    gateways.push(gateway)
  }

  // nginx from deploy/nginx/loket.conf, its upstreams at the two gateways.
  const proxyPort = await freePort()
  const nginxDir = join(dir, "nginx")
  mkdirSync(nginxDir, { recursive: true })
  const site = rewriteNginxConf(readFileSync(root("deploy/nginx/loket.conf"), "utf8"), gatewayPorts, proxyPort, nginxVersion)
  adapted.push(...site.adapted)
  writeFileSync(join(nginxDir, "loket.conf"), site.text)
  writeFileSync(join(nginxDir, "nginx.conf"), nginxMainConf(nginxDir, join(nginxDir, "loket.conf")))
  cleanups.push(await startNginx(nginxDir, join(nginxDir, "nginx.conf"), proxyPort))
  const proxyUrl = `http://127.0.0.1:${proxyPort}`
  await eventually(() => fetch(`${proxyUrl}/readyz`).then((r) => r.status, () => 0), (s) => s === 200, 30_000)
  return { nats, ports, gateways, proxyUrl, adapted }
}

const resident = (i: number) => `3162${String(i).padStart(7, "0")}`
const webhook = (n: number) => {
  const from = resident(n % RESIDENTS)
  return { id: `wamid.topology.${n}`, body: fixtures.webhookBody({ contacts: [fixtures.contact({ waId: from })], messages: [fixtures.textMessage({ from, body: `bericht ${n}`, id: `wamid.topology.${n}` })] }) }
}

const refusal = (options: Parameters<typeof connect>[0]) =>
  connect({ ...options, reconnect: false, timeout: 5000 }).then(async (nc) => {
    await nc.close()
    return "connected"
  }, (error: Error) => String(error.message ?? error))

describe("the compose cluster, run for real from its config files", { timeout: 300_000 }, () => {
  it("loses no acknowledged webhook when a NATS node is killed under load, and lets in only who has the credentials", async () => {
    const topology = await startTopology()
    if (topology.adapted.length > 0) console.info(`topology: adapted to the installed servers:\n- ${[...new Set(topology.adapted)].join("\n- ")}`)
    const { nats, ports, proxyUrl } = topology
    const gatewayUser = { user: "loket", pass: dotEnv.NATS_LOKET_PASSWORD }

    // The stream is kept on all three nodes; its leader is the node to kill.
    const nc: NatsConnection = await connect({ servers: NODES.map((n) => `127.0.0.1:${ports[n]!.client}`), ...gatewayUser })
    cleanups.push(() => nc.close())
    const jsm = await nc.jetstreamManager()
    const stream = await eventually(() => jsm.streams.info("loket_events"), (info) => info.cluster?.leader !== undefined && (info.cluster.replicas ?? []).length === 2, 30_000)
    expect(stream.config.num_replicas).toBe(3)
    const victim = stream.cluster?.leader
    expect(NODES as ReadonlyArray<string>).toContain(victim)

    // Signed webhooks through nginx, CONCURRENCY at a time; kill -9 of the leader in the middle. A webhook
    // not answered 200 is delivered again until it is, as Meta does (polled, bounded), so the load goes
    // on through the failover.
    const acknowledged = new Set<string>()
    const statuses = new Map<number, number>()
    let redelivered = 0
    let next = 0
    let killed: Promise<void> | undefined
    const post = async (body: unknown) => {
      const status = await postWebhook(proxyUrl, body).then((r) => r.status, () => 0)
      if (status !== 200) statuses.set(status, (statuses.get(status) ?? 0) + 1)
      return status
    }
    const worker = async () => {
      while (next < WEBHOOKS) {
        const n = next++
        if (n === KILL_AFTER) killed = nats[victim!]!.stop("SIGKILL")
        const { id, body } = webhook(n)
        if ((await post(body)) !== 200) {
          redelivered++
          await eventually(() => post(body), (status) => status === 200, 60_000)
        }
        acknowledged.add(id)
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    await killed
    console.info(`topology: ${WEBHOOKS} webhooks acknowledged, ${redelivered} of them only after redelivery; answers other than 200: ${JSON.stringify([...statuses])}`)
    expect(acknowledged.size).toBe(WEBHOOKS)

    // Every acknowledged webhook is a message in the API (through nginx, from either gateway), once.
    const stored = await eventually(async () => {
      const ids: Array<string> = []
      for (const conversation of await allConversations(proxyUrl)) {
        // The residents' messages: outside office hours Loket's own out-of-hours replies are in the conversations too.
        for (const message of await allMessages(proxyUrl, conversation.id)) if (message.direction === "inbound") ids.push(message.providerMessageId)
      }
      return ids
    }, (ids) => ids.length >= WEBHOOKS, 60_000)
    expect(new Set(stored).size).toBe(stored.length)
    expect([...acknowledged].filter((id) => !stored.includes(id))).toEqual([])
    expect(stored).toHaveLength(WEBHOOKS)

    // The gateways refused none of each other's messages, and no password reached their logs.
    for (const gateway of topology.gateways) {
      expect(gateway.output()).not.toContain("refused a")
      for (const password of [dotEnv.NATS_LOKET_PASSWORD, dotEnv.NATS_SYS_PASSWORD, dotEnv.NATS_ROUTE_PASSWORD]) expect(gateway.output()).not.toContain(password)
    }

    // Who may connect: the survivors refuse clients without credentials or with a wrong password.
    const survivor = NODES.find((n) => n !== victim)!
    const survivorUrl = `127.0.0.1:${ports[survivor]!.client}`
    expect(await refusal({ servers: survivorUrl })).toMatch(/authorization/i)
    expect(await refusal({ servers: survivorUrl, user: "loket", pass: "not-the-password" })).toMatch(/authorization/i)
    expect(await refusal({ servers: survivorUrl, user: "sys", pass: dotEnv.NATS_LOKET_PASSWORD })).toMatch(/authorization/i)

    // The gateways' credentials do not reach the system account; the system account's do (so the check can fail).
    const asGateway = await connect({ servers: survivorUrl, ...gatewayUser, reconnect: false })
    cleanups.push(() => asGateway.close())
    const fromGateway = await asGateway.request("$SYS.REQ.SERVER.PING", "", { timeout: 2000 }).then(() => "answered", (e: Error) => e.message)
    expect(fromGateway).not.toBe("answered")
    const asSystem = await connect({ servers: survivorUrl, user: "sys", pass: dotEnv.NATS_SYS_PASSWORD, reconnect: false })
    cleanups.push(() => asSystem.close())
    const ping = await asSystem.request("$SYS.REQ.SERVER.PING", "", { timeout: 5000 })
    expect(ping.json<{ server: { name: string } }>().server.name).toMatch(/^nats-[123]$/)

    // A server that does not know the route password cannot join the cluster.
    const before = (await monitor<{ num_routes: number }>(ports[survivor]!, "/routez")).num_routes
    const rogue = await startNatsServer({ cluster: { name: "loket", port: await freePort(), routes: [`nats-route://127.0.0.1:${ports[survivor]!.cluster}`], serverName: "rogue" } })
    cleanups.push(() => rogue.dispose())
    await eventually(async () => rogue.output(), (out) => /authorization violation/i.test(out), 20_000)
    const routes = await monitor<{ num_routes: number; routes: Array<{ remote_id: string }> }>(ports[survivor]!, "/routez")
    expect(routes.num_routes).toBe(before)
  })
})
