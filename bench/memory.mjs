// Memory of the local runtime: every `intervalMs` the sampler lists the processes of the service's
// process group (scripts/start.mjs runs detached, so its pid is the group id and npx, wrangler,
// esbuild and workerd are all in it) and reads VmRSS and VmHWM from /proc/<pid>/status.
//
// Reported: the peak of the summed VmRSS over the group (and over its workerd processes alone),
// sampled, so a spike shorter than the interval can be missed; and per process, the larger of its
// sampled peak VmRSS and its last VmHWM (the kernel's own high-water mark, which misses nothing
// but is only readable while the process lives). RSS counts shared pages (the workerd binary,
// shared libraries) in every process that maps them, so the sum overstates physical memory a bit.
// `wrangler d1 execute` (seeding, counts) runs in the bench's own group and is not counted.
import { readdirSync, readFileSync } from 'node:fs'

/** Starts sampling the group `pgid`; `stop()` takes a last sample and returns the summary. */
export function startRssSampler(pgid, intervalMs = 500) {
  const started = performance.now()
  const processes = new Map()
  let samples = 0
  /** Every sample's sums, to tell afterwards which phase the memory was used in. */
  const series = []
  let peak = { totalKb: 0, workerdKb: 0, processes: 0, atSeconds: 0 }
  let peakWorkerdKb = 0

  function sample() {
    let totalKb = 0
    let workerdKb = 0
    let count = 0
    for (const pid of groupMembers(pgid)) {
      const status = readStatus(pid)
      if (!status) continue
      count++
      totalKb += status.rssKb
      if (status.name === 'workerd') workerdKb += status.rssKb
      const known = processes.get(pid)
      if (known) {
        known.peakRssKb = Math.max(known.peakRssKb, status.rssKb)
        known.hwmKb = Math.max(known.hwmKb, status.hwmKb)
        known.lastSeenSeconds = (performance.now() - started) / 1000
      } else {
        processes.set(pid, {
          pid,
          name: status.name,
          command: readCommand(pid),
          peakRssKb: status.rssKb,
          hwmKb: status.hwmKb,
          firstSeenAt: performance.now(),
          firstSeenSeconds: (performance.now() - started) / 1000,
          lastSeenSeconds: (performance.now() - started) / 1000,
        })
      }
    }
    samples++
    series.push({ at: performance.now(), totalKb, workerdKb })
    if (totalKb > peak.totalKb) {
      peak = {
        totalKb,
        workerdKb,
        processes: count,
        atSeconds: (performance.now() - started) / 1000,
      }
    }
    peakWorkerdKb = Math.max(peakWorkerdKb, workerdKb)
  }

  sample()
  const timer = setInterval(sample, intervalMs)
  timer.unref()
  return {
    stop() {
      clearInterval(timer)
      sample()
      const perProcess = [...processes.values()]
        .map((p) => ({ ...p, peakKb: Math.max(p.peakRssKb, p.hwmKb) }))
        .sort((a, b) => b.peakKb - a.peakKb)
      return {
        intervalMs,
        samples,
        seconds: (performance.now() - started) / 1000,
        peakSumKb: peak.totalKb,
        peakSumWorkerdKb: peak.workerdKb,
        peakSumProcesses: peak.processes,
        peakSumAtSeconds: peak.atSeconds,
        peakWorkerdOnlySumKb: peakWorkerdKb,
        peakProcessKb: perProcess[0]?.peakKb ?? 0,
        processes: perProcess,
        series: series.map((x) => ({
          seconds: Number(((x.at - started) / 1000).toFixed(1)),
          totalKb: x.totalKb,
          workerdKb: x.workerdKb,
        })),
        /** The peak sums over the samples taken between two `performance.now()` times. */
        peakBetween(start, end) {
          const inside = series.filter((x) => x.at >= start && x.at <= end)
          return {
            totalKb: Math.max(0, ...inside.map((x) => x.totalKb)),
            workerdKb: Math.max(0, ...inside.map((x) => x.workerdKb)),
            samples: inside.length,
          }
        },
      }
    },
  }
}

function groupMembers(pgid) {
  const members = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // `pid (comm) state ppid pgrp …`: comm may hold spaces and parentheses, so split after the
      // last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) === pgid) members.push(Number(entry))
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return members
}

function readStatus(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s*(\\d+) kB`, 'm'))?.[1] ?? 0)
    return {
      name: status.match(/^Name:\s*(.*)$/m)?.[1] ?? '?',
      rssKb: kb('VmRSS'),
      hwmKb: kb('VmHWM'),
    }
  } catch {
    return null
  }
}

function readCommand(pid) {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    // The program's base name and its first arguments are enough to tell the processes apart.
    return args
      .map((arg, i) => (i === 0 ? arg.split('/').at(-1) : arg.replace(/^.*node_modules\//, '')))
      .slice(0, 4)
      .join(' ')
      .slice(0, 80)
  } catch {
    return ''
  }
}

/** The memory section of the printed report. */
export function printMemory(memory) {
  const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`
  console.log(
    `\nMemory (VmRSS of the service's process group, sampled every ${memory.intervalMs} ms, ` +
      `${memory.samples} samples over ${memory.seconds.toFixed(0)} s):`,
  )
  console.log(
    `  peak sum:             ${mb(memory.peakSumKb)} over ${memory.peakSumProcesses} processes ` +
      `at ${memory.peakSumAtSeconds.toFixed(0)} s (workerd share ${mb(memory.peakSumWorkerdKb)})`,
  )
  console.log(`  peak sum of workerd:  ${mb(memory.peakWorkerdOnlySumKb)}`)
  console.log(`  peak single process:  ${mb(memory.peakProcessKb)}`)
  if (memory.byPhase?.length) {
    const phases = memory.byPhase
      .filter((p) => p.samples)
      .map((p) => `${p.name} ${mb(p.totalKb)} (workerd ${mb(p.workerdKb)})`)
    console.log(`  peak sum by phase:    ${phases.join('; ')}`)
  }
  console.log('  per process (peak = max of sampled VmRSS and VmHWM; seen from-to):')
  for (const p of memory.processes) {
    const life = `${p.firstSeenSeconds.toFixed(0)}-${p.lastSeenSeconds.toFixed(0)} s`
    console.log(
      `    ${mb(p.peakKb).padStart(9)}  ${life.padStart(8)}  ${p.name.padEnd(8)} ${p.command}`,
    )
  }
}
