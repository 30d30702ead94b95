#!/usr/bin/env node
// Load benchmark for the local service (`wrangler dev`: workerd + local D1 + local Durable Objects).
//
//   npm run bench [-- --duration 10 --connections 10 --no-sweep --no-anonymous --no-startup --no-floors
//                    --no-index-writes --sweep-users 10000 --scale]
//
// Starts `scripts/start.mjs` on 127.0.0.1:$BENCH_PORT (default 8799, so it never meets a dev server
// on 8787), warms every scenario up, runs one bounded autocannon run per scenario, prints a table
// and the targets, and writes bench/output/latest.json. The numbers are local and relative: compare
// each endpoint with the /healthz ceiling measured in the same run, not with production.
//
// Exit code: 0 whether or not the targets are met (this measures, it does not test); 1 when the
// service does not start, or a run has connection errors or non-2xx responses (the numbers would
// then describe error paths, not the endpoints).
//
// Latency targets are judged at a fixed offered load (`latencyAt` req/s, autocannon's
// `overallRate`), wrk2-style: at saturation p99 only measures the queue in front of a local
// server on 2 cores, so the saturating run reports throughput and the fixed-rate run latency.
//
// To add a scenario, append to `scenarios` in bench/scenarios.mjs (its top says how). Where a
// path's CPU goes: `node bench/profile.mjs <scenario>` (a CPU profile of the Worker under load).
//
// Once the service answers, and before any scenario, the PBKDF2 line is measured (pbkdf2.mjs): an
// account is registered through the service, its stored hash read back from the local D1, and the
// derivation timed in Node with the iterations and lengths that hash carries, so the bench times
// the cost the service actually pays rather than a copy of its constants.
//
// This file is the entry and the order of things; the parts live beside it: service.mjs (start,
// stop, health), scenarios.mjs (the scenario table and its setup helpers), load.mjs (autocannon
// runs), phases.mjs (the phases around the scenarios), report.mjs (tables, ratios, latest.json),
// stats.mjs (the median every module uses).
//
// After the HTTP scenarios, the sweep phase (bench/sweep.mjs; `--no-sweep` skips it, it takes a
// few minutes) seeds `--sweep-users` abandoned anonymous users into the same local D1 and fires the
// cron handler through `wrangler dev --test-scheduled` until a run is complete (at most
// SWEEP_MAX_RUNS runs or SWEEP_MAX_MS, in phases.mjs): how fast the sweep works off a backlog, run
// by run.
//
// `--scale` (bench/scale.mjs) first seeds `--scale-accounts` password accounts (10,000) and
// `--scale-anonymous` recently active anonymous users (50,000) into the local D1. Then `login`
// signs into a different seeded account on every request, `magic-link verify` uses links mailed to
// seeded emails (signing into existing accounts), and after the HTTP scenarios the email lookup is
// measured in D1 itself (no route does that lookup alone; see scale.mjs). The sweep phase then
// runs as usual, and the seeded anonymous users must all still be there after it.
//
// The service runs from a copy of the working tree taken at the start (bench/snapshot.mjs, in the
// OS temp directory; `--no-snapshot` runs from the tree itself): `wrangler dev` reloads the Worker
// whenever a file it bundled changes, which would restart the runtime mid-scenario on a tree that
// others edit. A restart is reported all the same (a new workerd process after start-up).
//
// Every run also reports memory (bench/memory.mjs: peak VmRSS of the service's process group,
// sampled every 500 ms from start-up to the end of the sweep phase) and the size of the bundle a
// deploy would upload (bench/bundle.mjs: `wrangler deploy --dry-run`, gzipped at level 9).
//
// Before the service starts, two phases that run workerd of their own: start-up CPU
// (bench/startup.mjs: `wrangler check startup` five times, median against the 30 ms goal;
// `--no-startup` skips it) and the D1 index writes of 100 sessions refreshing for a simulated hour
// (bench/index-writes.mjs runs the workerd test that counts them; `--no-index-writes` skips it).
// The ratios of issue #26 (first refresh, steady refresh, /v1/me, token-info and anonymous
// creation against /healthz, request logging off) come from the anonymous-first phase; the
// platform floor (bench/floors.mjs, `--no-floors` skips it) then runs the same load on a bare
// Worker that only creates an object, writes one, or reads D1: the ceiling of each ratio here.
//
// The service runs with RATE_LIMITS=false: its per-IP and per-email limits (30 and 10 a minute)
// would otherwise answer 429 to every sign-in scenario within its first second.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { printAnonymous } from './anonymous.mjs'
import { measureBundle, printBundle } from './bundle.mjs'
import { measureFloors, printFloors } from './floors.mjs'
import { countIndexWrites, printIndexWrites } from './index-writes.mjs'
import { measureStartup, printStartup } from './startup.mjs'
import { runScenario } from './load.mjs'
import { printMemory, startRssSampler } from './memory.mjs'
import {
  anonymousPhase,
  emailLookupPhase,
  memoryByPhase,
  passwordHashPhase,
  phaseRecorder,
  runtimeRestarts,
  scaleSeedPhase,
  survivalPhase,
  sweepPhase,
} from './phases.mjs'
import {
  printLoad,
  printPbkdf2,
  printRestarts,
  printTable,
  printTargets,
  reportFailures,
  writeLatest,
} from './report.mjs'
import { createSession, evaluateTargets, scenarios } from './scenarios.mjs'
import {
  BASE_URL,
  isHealthy,
  OUTPUT_DIR,
  ROOT,
  startService,
  waitUntilHealthy,
} from './service.mjs'
import { snapshotTree } from './snapshot.mjs'

const BUNDLE_DIR = join(OUTPUT_DIR, 'dist')
const RSS_INTERVAL_MS = 500
// For the admin metrics, where the sweep phase reads each cron run's result.
const ADMIN_TOKEN = randomBytes(32).toString('base64url')

function parseOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      'no-sweep': { type: 'boolean', default: false },
      'no-anonymous': { type: 'boolean', default: false },
      'no-snapshot': { type: 'boolean', default: false },
      'no-startup': { type: 'boolean', default: false },
      'no-floors': { type: 'boolean', default: false },
      'no-index-writes': { type: 'boolean', default: false },
      'sweep-users': { type: 'string', default: '10000' },
      scale: { type: 'boolean', default: false },
      'scale-accounts': { type: 'string', default: '10000' },
      'scale-anonymous': { type: 'string', default: '50000' },
    },
  })
  const duration = Number(values.duration)
  const connections = Number(values.connections)
  const sweepUsers = Number(values['sweep-users'])
  const scaleAccounts = Number(values['scale-accounts'])
  const scaleAnonymous = Number(values['scale-anonymous'])
  for (const [name, value] of Object.entries({
    duration,
    connections,
    'sweep-users': sweepUsers,
    'scale-accounts': scaleAccounts,
    'scale-anonymous': scaleAnonymous,
  })) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} must be a positive integer`)
  }
  // Seeded emails are numbered in five digits; the lookup's scattered order needs a prime stride.
  if (scaleAccounts > 99_999 || scaleAccounts % 7919 === 0) {
    throw new Error('--scale-accounts must be at most 99,999 and not a multiple of 7,919')
  }
  return {
    duration,
    connections,
    sweep: !values['no-sweep'],
    anonymous: !values['no-anonymous'],
    sweepUsers,
    snapshot: !values['no-snapshot'],
    startup: !values['no-startup'],
    floors: !values['no-floors'],
    indexWrites: !values['no-index-writes'],
    scale: values.scale,
    ...(values.scale ? { scaleAccounts, scaleAnonymous } : {}),
  }
}

async function main() {
  const startedAt = performance.now()
  const loadBefore = loadavg()
  const options = parseOptions()
  if (await isHealthy()) throw new Error(`something already answers on ${BASE_URL}; set BENCH_PORT`)
  mkdirSync(OUTPUT_DIR, { recursive: true })
  // Everything from here on (service, bundle, D1 commands) runs from the same frozen tree.
  const snapshot = options.snapshot ? snapshotTree(ROOT) : null
  const tree = snapshot?.dir ?? ROOT
  if (snapshot) {
    // If this process ends abruptly; the normal path removes it after the service has stopped.
    process.on('exit', () => rmSync(tree, { recursive: true, force: true }))
    console.log(
      `Running from a snapshot of the working tree in ${tree} (node_modules as ` +
        `${snapshot.modules}, ${(snapshot.ms / 1000).toFixed(1)} s)`,
    )
  }
  // Before the service starts: bundling takes a few seconds of CPU.
  let bundle
  try {
    bundle = await measureBundle(tree, BUNDLE_DIR)
  } catch (error) {
    bundle = { error: error.message }
  }
  // Also before the service: both start workerd of their own, and start-up CPU wants a quiet machine.
  const startup = options.startup
    ? await measureStartup(tree, OUTPUT_DIR).catch((error) => ({ error: error.message }))
    : null
  const indexWrites = options.indexWrites
    ? // From the project itself: the snapshot leaves test/ behind.
      await countIndexWrites(ROOT).catch((error) => ({ error: error.message }))
    : null
  const logPath = join(OUTPUT_DIR, 'server.log')
  // The sweep phase fires the cron through /__scheduled and reads its results as the admin.
  const sweepArgs = options.sweep ? ['--test-scheduled', '--var', `ADMIN_TOKEN:${ADMIN_TOKEN}`] : []
  const service = startService(tree, logPath, sweepArgs)
  // From the spawn on: start-up (migrations, bundling, workerd) is part of what the runtime uses.
  const rss = startRssSampler(service.pid, RSS_INTERVAL_MS)
  // Last resort when this process ends abruptly; the normal path awaits a graceful stop below.
  process.on('exit', service.killNow)
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130))
  try {
    return await benchmark(service, logPath, options, {
      tree,
      snapshot,
      bundle,
      startup,
      indexWrites,
      rss,
      startedAt,
      loadBefore,
    })
  } finally {
    rss.stop()
    await service.stop()
    if (tree !== ROOT) rmSync(tree, { recursive: true, force: true })
  }
}

async function benchmark(service, logPath, options, run) {
  const { tree, bundle, startup, indexWrites, rss, startedAt, loadBefore } = run
  try {
    await waitUntilHealthy(service)
  } catch (error) {
    console.error(readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n'))
    throw error
  }
  const healthyAt = performance.now()
  const { phases, phase } = phaseRecorder()

  // Needs the running service (the hash is the one it stores), and comes before the scale seed,
  // which copies that hash into every seeded account.
  const { pbkdf2, scaleHash } = await phase('password hash', () =>
    passwordHashPhase({ tree, scale: options.scale }),
  )
  const scale = options.scale
    ? await phase('scale seed', () => scaleSeedPhase({ tree, options, passwordHash: scaleHash }))
    : null

  const ctx = {
    connections: options.connections,
    createSession,
    createSessions: (count) => Promise.all(Array.from({ length: count }, createSession)),
    scale: scale?.cursor ?? null,
  }
  console.log(
    `Benchmarking ${BASE_URL}: ${options.connections} connections, ${options.duration} s per scenario` +
      (scale
        ? `; login and magic-link verify over ${options.scaleAccounts.toLocaleString('en-US')} seeded accounts`
        : '') +
      '\n',
  )
  const results = []
  for (const scenario of scenarios) {
    process.stdout.write(`  ${scenario.name}...`)
    results.push(await phase(scenario.name, () => runScenario(scenario, ctx, options)))
    process.stdout.write(' done\n')
  }

  const ceiling = results.find((r) => r.name === scenarios.find((s) => s.ceiling).name)
  console.log()
  printTable(results, ceiling)
  printPbkdf2(
    pbkdf2,
    results.find((r) => r.name === 'login'),
  )
  const targets = evaluateTargets(results, ceiling)
  printTargets(targets)
  const failed = reportFailures(results)

  const emailLookup = scale
    ? await phase('email lookup', () => emailLookupPhase({ tree, options, ceiling }))
    : null
  let sweep = null
  if (options.sweep) {
    console.log(`\nSweep phase: ${options.sweepUsers.toLocaleString('en-US')} abandoned users...`)
    sweep = await phase('sweep phase', () => sweepPhase({ tree, options, adminToken: ADMIN_TOKEN }))
  }
  const anonymous = options.anonymous
    ? await phase('anonymous-first', () => anonymousPhase({ tree, options }))
    : null
  printAnonymous(anonymous)
  // The same load on a bare Worker: what workerd, an object and D1 cost here by themselves.
  const floors = options.floors
    ? await measureFloors().catch((error) => ({ error: error.message }))
    : null
  printFloors(floors)
  const survival = scale ? await survivalPhase({ tree, scale, sweep }) : null

  const memory = rss.stop()
  memory.byPhase = memoryByPhase(memory, healthyAt, phases)
  printMemory(memory)
  const restarts = runtimeRestarts(memory, healthyAt, phases)
  printRestarts(restarts)
  printBundle(bundle)
  printStartup(startup)
  printIndexWrites(indexWrites)
  const loadAfter = loadavg()
  const durationMs = performance.now() - startedAt
  printLoad(loadBefore, loadAfter, durationMs)

  const outputPath = join(OUTPUT_DIR, 'latest.json')
  writeLatest(outputPath, {
    baseUrl: BASE_URL,
    options,
    pbkdf2,
    results,
    targets,
    sweep,
    anonymous,
    floors,
    scale,
    emailLookup,
    survival,
    memory,
    restarts,
    snapshot: run.snapshot,
    bundle,
    startup,
    indexWrites,
    load: { before: loadBefore, after: loadAfter },
    durationMs,
  })
  console.log(`\nWrote ${outputPath} (server log: ${logPath})`)
  const scaleFailed = scale && (emailLookup?.error || !survival?.kept)
  return failed.length === 0 && !sweep?.error && !scaleFailed ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench failed: ${error.message}`)
    process.exit(1)
  },
)
