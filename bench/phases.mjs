// The phases of `npm run bench` around the HTTP scenarios (run.mjs calls them in order): reading
// the PBKDF2 parameters from the service, the scale seed, the email lookup in D1, the sweep, the
// anonymous-first service, the scale survival check; and the bookkeeping that places memory peaks
// and runtime restarts in the phase they fell in.
import { randomBytes } from 'node:crypto'
import { measureAnonymous } from './anonymous.mjs'
import { measurePbkdf2, parseStoredHash, readStoredHash } from './pbkdf2.mjs'
import { printSurvival } from './report.mjs'
import {
  countScale,
  measureEmailLookup,
  printEmailLookup,
  printSeed,
  SCALE_PASSWORD,
  scaleEmail,
  seedScale,
} from './scale.mjs'
import {
  checkScaleLogin,
  loginAccount,
  registerAccount,
  scaleCursor,
  scenarios,
} from './scenarios.mjs'
import { BASE_URL, STATE_DIR } from './service.mjs'
import { measureSweep, printSweep } from './sweep.mjs'

// The sweep phase's bounds: past them the backlog is reported incomplete.
const SWEEP_MAX_RUNS = 30
const SWEEP_MAX_MS = 5 * 60_000

/** What ran when (`phases`), to tell in which phase the runtime restarted, if it did. */
export function phaseRecorder() {
  const phases = []
  async function phase(name, work) {
    const entry = { name, start: performance.now(), end: null }
    phases.push(entry)
    try {
      return await work()
    } finally {
      entry.end = performance.now()
    }
  }
  return { phases, phase }
}

/**
 * The PBKDF2 parameters, from a hash the service wrote (see pbkdf2.mjs), then the derivation timed
 * with them while the service is idle, before any scenario runs. The account registered is one the
 * run needs anyway: the login scenario's, or in scale mode one with SCALE_PASSWORD, whose stored
 * hash every seeded account then shares, so the seed holds the service's own derivation too.
 */
export async function passwordHashPhase({ tree, scale }) {
  const { email } = scale
    ? await registerAccount({
        // Not of the form of scaleEmail(i): the seeded emails and their count stay the seed's own.
        email: `bench-scale-template-${randomBytes(6).toString('hex')}@example.com`,
        password: SCALE_PASSWORD,
      })
    : await loginAccount()
  const stored = await readStoredHash(tree, STATE_DIR, email)
  const pbkdf2 = await measurePbkdf2(parseStoredHash(stored))
  return { pbkdf2, scaleHash: scale ? stored : null }
}

/** Scale mode: seed before anything is measured, then check that a seeded account signs in. */
export async function scaleSeedPhase({ tree, options, passwordHash }) {
  const seed = await seedScale({
    root: tree,
    stateDir: STATE_DIR,
    accounts: options.scaleAccounts,
    anonymous: options.scaleAnonymous,
    passwordHash,
  })
  printSeed(seed)
  await checkScaleLogin(scaleEmail(1))
  return { seed, cursor: scaleCursor(options.scaleAccounts) }
}

/**
 * The email lookup, in D1: after the HTTP scenarios (it needs the ceiling, and must not disturb
 * them), before the sweep phase changes the table.
 */
export async function emailLookupPhase({ tree, options, ceiling }) {
  try {
    const emailLookup = await measureEmailLookup({
      root: tree,
      stateDir: STATE_DIR,
      accounts: options.scaleAccounts,
    })
    emailLookup.ceilingRatio = {
      indexed: emailLookup.indexedPerSecond / ceiling.rps,
      net: emailLookup.netPerSecond ? emailLookup.netPerSecond / ceiling.rps : null,
    }
    printEmailLookup(emailLookup, ceiling)
    return emailLookup
  } catch (error) {
    console.error(`\nemail lookup failed: ${error.message}`)
    return { error: error.message }
  }
}

/** After the HTTP scenarios, so that neither the seed nor the sweep's work disturbs them. */
export async function sweepPhase({ tree, options, adminToken }) {
  try {
    const sweep = await measureSweep({
      root: tree,
      stateDir: STATE_DIR,
      baseUrl: BASE_URL,
      adminToken,
      users: options.sweepUsers,
      maxRuns: SWEEP_MAX_RUNS,
      maxMs: SWEEP_MAX_MS,
    })
    printSweep(sweep)
    return sweep
  } catch (error) {
    console.error(`\nsweep phase failed: ${error.message}`)
    return { error: error.message }
  }
}

/** Issue #12's ratios under `npm start` with default logging: a service of its own (anonymous.mjs). */
export function anonymousPhase({ tree, options }) {
  return measureAnonymous({ tree, duration: options.duration }).catch((e) => ({ error: e.message }))
}

/** Scale mode: the seeded users must all have survived the sweep phase (and the scenarios). */
export async function survivalPhase({ tree, scale, sweep }) {
  try {
    const before = scale.seed.counts
    const after = await countScale(tree, STATE_DIR)
    const survival = {
      afterSweep: Boolean(sweep && !sweep.error),
      before,
      after,
      kept: after.anonymous === before.anonymous && after.accounts === before.accounts,
    }
    printSurvival(survival)
    return survival
  } catch (error) {
    console.error(`\nscale survival check failed: ${error.message}`)
    return { error: error.message, kept: false }
  }
}

/** Peak memory by phase: start-up, each phase before the scenarios, the HTTP scenarios together, each phase after. */
export function memoryByPhase(memory, healthyAt, phases) {
  const scenarioPhases = phases.filter((p) => scenarios.some((s) => s.name === p.name))
  return [
    { name: 'start-up', start: 0, end: healthyAt },
    ...phases.filter((p) => !scenarioPhases.includes(p) && p.start < scenarioPhases[0]?.start),
    scenarioPhases.length && {
      name: 'HTTP scenarios',
      start: scenarioPhases[0].start,
      end: scenarioPhases.at(-1).end,
    },
    ...phases.filter((p) => !scenarioPhases.includes(p) && p.start > scenarioPhases[0]?.start),
  ]
    .filter(Boolean)
    .map((p) => ({ name: p.name, ...memory.peakBetween(p.start, p.end ?? Infinity) }))
}

/**
 * workerd processes of the service that started after it answered /healthz: wrangler dev replaces
 * the runtime's process when it reloads, so each is a restart, placed in the phase it fell in.
 */
export function runtimeRestarts(memory, healthyAt, phases) {
  return memory.processes
    .filter((p) => p.name === 'workerd' && p.firstSeenAt > healthyAt)
    .map((p) => ({
      pid: p.pid,
      atSeconds: p.firstSeenSeconds,
      phase:
        phases.find((ph) => p.firstSeenAt >= ph.start && p.firstSeenAt <= (ph.end ?? Infinity))
          ?.name ?? 'no measured phase',
    }))
    .sort((a, b) => a.atSeconds - b.atSeconds)
}
