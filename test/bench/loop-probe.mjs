/**
 * A diagnostic for a server child under test (not loaded in production): once a second it appends to
 * LOOP_PROBE_OUT the event loop's delay (p50 / p99 / max), its utilisation, the CPU used, and the
 * main thread's time on a CPU and waiting for one (/proc schedstat), the
 * count and durations of fsync calls (the write-ahead log's flushes on libuv's thread pool).
 * startLoket (./servers.ts) loads it when its env holds LOOP_PROBE_OUT (part 5 on Node does).
 */
import fs from "node:fs"
import { syncBuiltinESMExports } from "node:module"
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from "node:perf_hooks"

const out = process.env.LOOP_PROBE_OUT
if (out !== undefined) {
  const delay = monitorEventLoopDelay({ resolution: 5 })
  delay.enable()
  const fsyncs = []
  const original = fs.fsync
  fs.fsync = function (fd, callback) {
    const t = performance.now()
    return original.call(fs, fd, (...args) => {
      fsyncs.push(performance.now() - t)
      callback(...args)
    })
  }
  syncBuiltinESMExports() // so that `import { fsync } from "node:fs"` sees the wrapper too
  // Garbage collections on the main thread: how many and how long it paused, minor (scavenge) and the rest.
  const gc = { minor: 0, minorMs: 0, major: 0, majorMs: 0 }
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.minor++
        gc.minorMs += entry.duration
      } else {
        gc.major++
        gc.majorMs += entry.duration
      }
    }
  }).observe({ entryTypes: ["gc"] })
  let elu = performance.eventLoopUtilization()
  let cpu = process.cpuUsage()
  let last = performance.now()
  // The main thread's scheduler figures (Linux): nanoseconds on a CPU and runnable but waiting for one.
  // Wall time that is neither, while the loop is busy, is the thread blocked in a synchronous call.
  const schedFile = `/proc/self/task/${process.pid}/schedstat`
  const readSched = () => {
    try {
      const [run, wait] = fs.readFileSync(schedFile, "utf8").split(" ").map(Number)
      return { run, wait }
    } catch {
      return undefined
    }
  }
  let sched = readSched()
  const timer = setInterval(() => {
    const nextElu = performance.eventLoopUtilization()
    const used = performance.eventLoopUtilization(nextElu, elu)
    const nextCpu = process.cpuUsage()
    const cpuMs = (nextCpu.user - cpu.user + nextCpu.system - cpu.system) / 1000
    const now = performance.now()
    const wallMs = now - last
    elu = nextElu
    cpu = nextCpu
    last = now
    const nextSched = readSched()
    const mainThread = sched === undefined || nextSched === undefined ? undefined
      : { runMs: Math.round((nextSched.run - sched.run) / 1e6), runqueueMs: Math.round((nextSched.wait - sched.wait) / 1e6) }
    sched = nextSched
    const xs = fsyncs.splice(0).sort((a, b) => a - b)
    const q = (p) => (xs.length === 0 ? 0 : xs[Math.min(xs.length - 1, Math.floor(p * xs.length))])
    fs.appendFileSync(out, JSON.stringify({
      at: Date.now(), wallMs: Math.round(wallMs), elu: +used.utilization.toFixed(3), cpuMs: Math.round(cpuMs), mainThread,
      delayMs: { p50: +(delay.percentile(50) / 1e6).toFixed(1), p99: +(delay.percentile(99) / 1e6).toFixed(1), max: +(delay.max / 1e6).toFixed(1) },
      gc: { minor: gc.minor, minorMs: Math.round(gc.minorMs), major: gc.major, majorMs: Math.round(gc.majorMs) },
      heapMiB: Math.round(process.memoryUsage().heapUsed / 1048576),
      fsync: { n: xs.length, p50: +q(0.5).toFixed(2), p99: +q(0.99).toFixed(2), max: +q(1).toFixed(2), sumMs: Math.round(xs.reduce((a, b) => a + b, 0)) }
    }) + "\n")
    delay.reset()
    Object.assign(gc, { minor: 0, minorMs: 0, major: 0, majorMs: 0 })
  }, 1000)
  timer.unref()
}

// LOOP_PROBE_PROFILE=<file.cpuprofile>: SIGUSR2 starts a CPU profile, the next SIGUSR2 writes it there
// (so a bench profiles one phase of the production bundle, not its set-up).
const profileFile = process.env.LOOP_PROBE_PROFILE
if (profileFile !== undefined) {
  const { Session } = await import("node:inspector")
  const session = new Session()
  session.connect()
  let profiling = false
  process.on("SIGUSR2", () => {
    // LOOP_PROBE_HEAP=1: what is allocated (sampled every 16 KiB, garbage included) instead of the CPU.
    const heap = process.env.LOOP_PROBE_HEAP === "1"
    if (!profiling) {
      profiling = true
      if (heap) {
        session.post("HeapProfiler.enable", () => session.post("HeapProfiler.startSampling", {
          samplingInterval: 16384, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true
        }))
      } else session.post("Profiler.enable", () => session.post("Profiler.setSamplingInterval", { interval: 500 }, () => session.post("Profiler.start")))
      return
    }
    profiling = false
    session.post(heap ? "HeapProfiler.stopSampling" : "Profiler.stop", (error, result) => {
      if (error === null) fs.writeFileSync(profileFile, JSON.stringify(result.profile))
      fs.writeFileSync(`${profileFile}.done`, error === null ? "ok" : String(error))
    })
  })
}
