// Start-up CPU of the deployable Worker: `wrangler check startup` bundles it as a deploy would,
// starts it locally and profiles the start-up phase (module evaluation). Its "Active" figure
// is the CPU an isolate spends before it can take a request; the goal is <= 30 ms on this
// machine. One run is noisy on a shared 2-core machine, so it runs `runs` times and reports the
// median and the lowest. Also runnable alone: `node bench/startup.mjs [runs]`.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { median } from './stats.mjs'
import { runWrangler } from './wrangler.mjs'

export const STARTUP_GOAL_MS = 30

async function checkStartup(root, outfile) {
  const output = await runWrangler(['check', 'startup', '--outfile', outfile], {
    cwd: root,
    timeoutMs: 180_000,
  })
  const active = output.match(/Active: ([\d.]+) ms/)
  if (!active) throw new Error(`wrangler check startup printed no figure: ${output.slice(-800)}`)
  return Number(active[1])
}

export async function measureStartup(root, outputDir, runs = 5) {
  mkdirSync(outputDir, { recursive: true })
  const outfile = join(outputDir, 'worker-startup.cpuprofile')
  const activeMs = []
  for (let i = 0; i < runs; i++) activeMs.push(await checkStartup(root, outfile))
  rmSync(outfile, { force: true })
  const medianMs = median(activeMs)
  return {
    runs: activeMs,
    medianMs,
    minMs: Math.min(...activeMs),
    goalMs: STARTUP_GOAL_MS,
    met: medianMs <= STARTUP_GOAL_MS,
  }
}

export function printStartup(startup) {
  if (!startup) return
  if (startup.error) {
    console.log(`\nStart-up: not measured (${startup.error.split('\n')[0]})`)
    return
  }
  console.log(
    `\nStart-up CPU (wrangler check startup, ${startup.runs.length} runs): median ` +
      `${startup.medianMs.toFixed(1)} ms, lowest ${startup.minMs.toFixed(1)} ms ` +
      `(runs: ${startup.runs.map((ms) => ms.toFixed(1)).join(', ')}); goal <= ${startup.goalMs} ms ` +
      (startup.met ? 'MET' : 'MISSED'),
  )
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(import.meta.dirname, '..')
  printStartup(
    await measureStartup(root, join(root, 'bench', 'output'), Number(process.argv[2] ?? 5)),
  )
}
