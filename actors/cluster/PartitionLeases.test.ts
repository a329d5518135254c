/**
 * Partition leases against the real NATS server (127.0.0.1:4222, JetStream), several instances
 * in one process, each with its own connection. A short TTL keeps the tests fast: 1.5 s, so
 * renewals every 500 ms and self-fencing 300 ms before a lease can lapse in NATS.
 */
import { connect, type NatsConnection } from "nats"
import { Context, Effect, Exit, Fiber, Layer, Scope, Stream } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { type LeaseChange, PartitionLeases } from "./PartitionLeases.ts"

const SERVERS = "127.0.0.1:4222"
const P = 8
const TTL = 1500
const RENEW = 500

interface Observed {
  readonly at: number
  readonly change: LeaseChange
}

interface Instance {
  readonly id: string
  readonly nc: NatsConnection
  readonly leases: PartitionLeases["Service"]
  readonly events: Array<Observed>
  /** The layer's scope (for registering drains). */
  readonly scope: Scope.Scope
  /** Graceful: closes the layer's scope (leases given back), then the connection. */
  readonly stop: () => Promise<void>
}

let namespace = ""
let running: Array<Instance> = []
const connections: Array<NatsConnection> = []

async function natsConnection(): Promise<NatsConnection> {
  const nc = await connect({ servers: SERVERS, reconnect: false })
  connections.push(nc)
  return nc
}

async function start(id: string, partitions = P): Promise<Instance> {
  const nc = await natsConnection()
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(
    Layer.buildWithScope(PartitionLeases.layer({ nc, namespace, instanceId: id, partitions, replicas: 1, ttlMs: TTL }), scope)
  ).catch(async (error) => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    throw error
  })
  const leases = Context.get(context, PartitionLeases)
  const events: Array<Observed> = []
  // Not tied to the scope: the stream itself ends, after the final Lost events, when the layer closes.
  const recorder = Effect.runFork(
    Stream.runForEach(leases.changes, (change) => Effect.sync(() => void events.push({ at: performance.now(), change })))
  )
  let stopped = false
  const instance: Instance = {
    id,
    nc,
    leases,
    events,
    scope,
    stop: async () => {
      if (stopped) return
      stopped = true
      await Effect.runPromise(Scope.close(scope, Exit.void))
      await Effect.runPromise(Fiber.join(recorder).pipe(Effect.timeout(1000)))
      if (!nc.isClosed()) await nc.close()
    }
  }
  running.push(instance)
  return instance
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now()
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return performance.now() - started
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Disjoint, complete, and each instance within its fair share. */
function balanced(instances: ReadonlyArray<Instance>): boolean {
  const fair = Math.ceil(P / instances.length)
  const seen = new Set<number>()
  for (const instance of instances) {
    const owned = instance.leases.owned()
    if (owned.size > fair) return false
    for (const partition of owned) {
      if (seen.has(partition)) return false
      seen.add(partition)
    }
  }
  return seen.size === P
}

const leaders = (instances: ReadonlyArray<Instance>) => instances.filter((i) => i.leases.isLeader()).length

interface Interval {
  readonly owner: string
  readonly from: number
  readonly to: number
}

/** Per partition (and "leader"), when each instance said it owned it, from its own events. */
function ownership(instances: ReadonlyArray<Instance>): Map<string, Array<Interval>> {
  const byKey = new Map<string, Array<Interval>>()
  for (const instance of instances) {
    const open = new Map<string, number>()
    const close = (key: string, to: number) => {
      const from = open.get(key)
      if (from === undefined) return
      open.delete(key)
      byKey.set(key, [...(byKey.get(key) ?? []), { owner: instance.id, from, to }])
    }
    for (const { at, change } of instance.events) {
      if (change._tag === "Acquired") open.set(String(change.partition), at)
      if (change._tag === "LeaderAcquired") open.set("leader", at)
      if (change._tag === "Lost") close(String(change.partition), at)
      if (change._tag === "LeaderLost") close("leader", at)
    }
    for (const key of [...open.keys()]) close(key, Infinity)
  }
  return byKey
}

function expectNoOverlap(instances: ReadonlyArray<Instance>) {
  for (const [key, intervals] of ownership(instances)) {
    const sorted = [...intervals].sort((a, b) => a.from - b.from)
    for (let i = 1; i < sorted.length; i++) {
      const [before, after] = [sorted[i - 1]!, sorted[i]!]
      if (after.from < before.to) {
        throw new Error(`${key}: ${before.owner} owned it until ${before.to.toFixed(1)}, ${after.owner} from ${after.from.toFixed(1)}`)
      }
    }
  }
}

function lastEvent(instance: Instance, matches: (change: LeaseChange) => boolean): Observed | undefined {
  return instance.events.findLast((event) => matches(event.change))
}

/** The first event among `instances` at or after `since` that `matches`. */
function firstEventSince(instances: ReadonlyArray<Instance>, since: number, matches: (change: LeaseChange) => boolean) {
  const found = instances.flatMap((instance) => instance.events.filter((event) => event.at >= since && matches(event.change)))
  return found.sort((x, y) => x.at - y.at)[0]
}

afterEach(async () => {
  for (const instance of running.reverse()) await instance.stop().catch(() => undefined)
  running = []
  const nc = await natsConnection()
  const jsm = await nc.jetstreamManager()
  for (const bucket of ["leases", "instances", "cluster"]) await jsm.streams.delete(`KV_${namespace}_${bucket}`).catch(() => false)
  for (const connection of connections.splice(0)) if (!connection.isClosed()) await connection.close()
})

describe("PartitionLeases (real NATS)", () => {
  const freshNamespace = () => (namespace = `t${Math.random().toString(36).slice(2, 10)}`)

  it("one instance acquires every partition and the leader lease", async () => {
    freshNamespace()
    const a = await start("gw-a")
    expect([...a.leases.owned()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(a.leases.isLeader()).toBe(true)
    await waitFor("the snapshot of the changes stream", () => a.events.length === P + 1, 1000)
    const tokens = a.events.flatMap(({ change }) => "token" in change ? [change.token] : [])
    expect(new Set(tokens).size).toBe(P + 1)
    const acquired3 = a.events.find(({ change }) => change._tag === "Acquired" && change.partition === 3)!.change as { token: number }
    expect(a.leases.tokenOf(3)).toBe(acquired3.token)
    expect(await Effect.runPromise(a.leases.ownerOf(5))).toBe("gw-a")
    // Leases are kept across several renewals.
    await sleep(TTL * 2)
    expect(a.leases.owned().size).toBe(P)
    expect(a.events.length).toBe(P + 1)
  })

  it("two, then three instances share the partitions: disjoint, complete, fair, one leader, never two owners", async () => {
    freshNamespace()
    const a = await start("gw-a")
    const b = await start("gw-b")
    const twoMs = await waitFor("two instances balanced", () => balanced([a, b]), 5000)
    const c = await start("gw-c")
    const threeMs = await waitFor("three instances balanced", () => balanced([a, b, c]), 5000)
    expect(leaders([a, b, c])).toBe(1)
    // It stays so over several renewals.
    await sleep(TTL * 2)
    expect(balanced([a, b, c])).toBe(true)
    expect(leaders([a, b, c])).toBe(1)
    // The other instances see the owner in NATS.
    const [partition] = [...b.leases.owned()]
    expect(await Effect.runPromise(a.leases.ownerOf(partition!))).toBe("gw-b")
    expectNoOverlap([a, b, c])
    console.info(`balanced: two instances after ${twoMs.toFixed(0)} ms, three after ${threeMs.toFixed(0)} ms`)
  })

  it("an instance that stops renewing (its NATS connection gone) reports Lost by its deadline; the others take over within TTL + one renew period", async () => {
    freshNamespace()
    const a = await start("gw-a")
    const b = await start("gw-b")
    const c = await start("gw-c")
    await waitFor("three instances balanced", () => balanced([a, b, c]), 5000)
    const victims = [...b.leases.owned()]
    const wasLeader = b.leases.isLeader()
    expect(victims.length).toBeGreaterThan(0)

    const killedAt = performance.now()
    await b.nc.close()
    const takeoverMs = await waitFor("the survivors own every partition", () => balanced([a, c]), TTL + RENEW + 1000)
    await waitFor("one leader again", () => leaders([a, c]) === 1, TTL + RENEW + 1000)

    expect(b.leases.owned().size).toBe(0)
    const lostAt = Math.max(...victims.map((p) => lastEvent(b, (ch) => ch._tag === "Lost" && ch.partition === p)!.at))
    let smallestGap = Infinity
    for (const partition of victims) {
      const lost = lastEvent(b, (ch) => ch._tag === "Lost" && ch.partition === partition)!
      const taken = firstEventSince([a, c], killedAt, (ch) => ch._tag === "Acquired" && ch.partition === partition)!
      expect(lost.at).toBeLessThan(taken.at)
      smallestGap = Math.min(smallestGap, taken.at - lost.at)
    }
    if (wasLeader) {
      const lost = lastEvent(b, (ch) => ch._tag === "LeaderLost")!
      const taken = firstEventSince([a, c], killedAt, (ch) => ch._tag === "LeaderAcquired")!
      expect(lost.at).toBeLessThan(taken.at)
    }
    expectNoOverlap([a, b, c])
    expect(takeoverMs).toBeLessThan(TTL + RENEW + 500)
    console.info(
      `kill: ${victims.length} partitions; victim reported Lost ${(lostAt - killedAt).toFixed(0)} ms after the kill, ` +
        `survivors owned everything after ${takeoverMs.toFixed(0)} ms; smallest gap between the victim's Lost and a ` +
        `survivor's Acquired: ${smallestGap.toFixed(0)} ms (TTL ${TTL} ms, renew every ${RENEW} ms)`
    )
  })

  it("a graceful stop gives the leases back at once: the others own them well before the TTL", async () => {
    freshNamespace()
    const a = await start("gw-a")
    const b = await start("gw-b")
    await waitFor("two instances balanced", () => balanced([a, b]), 5000)
    const stoppedAt = performance.now()
    await b.stop()
    const stopMs = performance.now() - stoppedAt
    const takeoverMs = stopMs + await waitFor("a owns everything", () => a.leases.owned().size === P && a.leases.isLeader(), TTL)
    expect(takeoverMs).toBeLessThan(TTL / 2 + 250)
    expect(b.events.at(-1)?.change._tag).toMatch(/Lost/)
    expectNoOverlap([a, b])
    console.info(`graceful stop: the other instance owned everything ${takeoverMs.toFixed(0)} ms after the stop began (the stop took ${stopMs.toFixed(0)} ms)`)
  })

  it("releases its surplus only after the drains finish, renewing the leases meanwhile", async () => {
    freshNamespace()
    const a = await start("gw-a")
    const DRAIN = TTL + 500 // longer than a lease lives without renewal
    const drained: Array<{ readonly partition: number; readonly from: number; readonly to: number }> = []
    Effect.runSync(a.leases.onBeforeRelease(function slowDrain(partition) {
      const from = performance.now()
      return Effect.sleep(DRAIN).pipe(Effect.andThen(Effect.sync(() => void drained.push({ partition, from, to: performance.now() }))))
    }).pipe(Scope.provide(a.scope)))
    const b = await start("gw-b")
    const balancedMs = await waitFor("two instances balanced", () => balanced([a, b]), DRAIN + 3000)
    expect(drained.map((d) => d.partition).sort()).toEqual([...b.leases.owned()].sort())
    for (const { partition, to } of drained) {
      const lost = lastEvent(a, (ch) => ch._tag === "Lost" && ch.partition === partition)!
      const taken = lastEvent(b, (ch) => ch._tag === "Acquired" && ch.partition === partition)!
      expect(lost.at).toBeGreaterThanOrEqual(to)
      expect(taken.at).toBeGreaterThan(lost.at)
    }
    expect(a.events.filter(({ change }) => change._tag === "Lost")).toHaveLength(P / 2)
    expectNoOverlap([a, b])
    console.info(`drain of ${DRAIN} ms: balanced after ${balancedMs.toFixed(0)} ms`)
  })

  it("a renewal that meets a foreign write fails its revision check and reports Lost; our own earlier write is adopted", async () => {
    freshNamespace()
    const a = await start("gw-a")
    const nc = await natsConnection()
    const kv = await nc.jetstream().views.kv(`${namespace}_leases`, { bindOnly: true })

    // Someone else writes p.2 (as an operator's `nats kv put` would): the next renewal loses.
    const writtenAt = performance.now()
    await kv.put("p.2", JSON.stringify({ owner: "intruder", epoch: 1 }))
    const lostMs = await waitFor("p.2 reported lost", () => lastEvent(a, (ch) => ch._tag === "Lost" && ch.partition === 2) !== undefined, RENEW + 500)
    expect(a.leases.owned().has(2)).toBe(false)
    expect(await Effect.runPromise(a.leases.ownerOf(2))).toBe("intruder")

    // A write carrying our own owner and token (a renewal whose answer was lost) is not a loss.
    await kv.put("p.3", JSON.stringify({ owner: "gw-a", epoch: a.leases.tokenOf(3) }))
    await sleep(RENEW * 3)
    expect(a.leases.owned().has(3)).toBe(true)
    expect(lastEvent(a, (ch) => ch._tag === "Lost" && ch.partition === 3)).toBeUndefined()

    // The intruder never renews: its key lapses and p.2 comes back.
    await waitFor("p.2 acquired again", () => a.leases.owned().has(2), TTL + RENEW + 1000)
    console.info(`foreign write: Lost reported ${lostMs.toFixed(0)} ms later; p.2 back after ${(performance.now() - writtenAt).toFixed(0)} ms`)
  })

  it("a malformed lease value is refused: it names no owner, and once it lapses the partition is taken again", async () => {
    freshNamespace()
    const a = await start("gw-a")
    const nc = await natsConnection()
    const kv = await nc.jetstream().views.kv(`${namespace}_leases`, { bindOnly: true })

    await kv.put("p.2", "not json {")
    await kv.put("p.5", JSON.stringify({ owner: 42, epoch: "x" }))
    await waitFor("p.2 and p.5 reported lost", () => !a.leases.owned().has(2) && !a.leases.owned().has(5), RENEW + 1000)
    // Neither value is read as an owner: commands for these partitions wait for a real one.
    expect(await Effect.runPromise(a.leases.ownerOf(2))).toBeUndefined()
    expect(await Effect.runPromise(a.leases.ownerOf(5))).toBeUndefined()
    // The well-formed leases next to them go on as before.
    expect(await Effect.runPromise(a.leases.ownerOf(4))).toBe("gw-a")
    expect(a.leases.owned().has(4)).toBe(true)
    // Nobody renews the junk: it lapses and the partitions are acquired again, with valid leases.
    await waitFor("p.2 and p.5 acquired again", () => a.leases.owned().has(2) && a.leases.owned().has(5), TTL + RENEW + 2000)
    expect(JSON.parse((await kv.get("p.2"))!.string())).toMatchObject({ owner: "gw-a" })
  })

  it("a partition count in NATS that is not a number stops the start with one line saying what to delete", async () => {
    freshNamespace()
    const nc = await natsConnection()
    const cluster = await nc.jetstream().views.kv(`${namespace}_cluster`, { history: 1 })
    await cluster.put("config.partitions", "{\"evil\":true}")
    const failure = await start("gw-a", 8).then(() => undefined, (error: unknown) => error)
    expect(failure).toMatchObject({ _tag: "PartitionCountMismatch" })
    const message = (failure as { message: string }).message
    expect(message).toContain("not a partition count")
    expect(message).not.toContain("evil")
    expect(message).not.toContain("\n")
  })

  it("an instance started with another partition count fails with one line naming LOKET_PARTITIONS and both values", async () => {
    freshNamespace()
    await start("gw-a", 8)
    const failure = await start("gw-b", 12).then(() => undefined, (error: unknown) => error)
    expect(failure).toMatchObject({ _tag: "PartitionCountMismatch" })
    const message = (failure as { message: string }).message
    expect(message).toContain("LOKET_PARTITIONS=12")
    expect(message).toContain("has 8 partitions")
    expect(message).not.toContain("\n")
  })
})
