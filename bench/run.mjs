#!/usr/bin/env node
// Load benchmark for the local service (`wrangler dev`: workerd + local D1 + local Durable Objects).
//
//   npm run bench [-- --duration 10 --connections 10 --no-sweep --no-anonymous --sweep-users 10000 --scale]
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
// To add a scenario, append to `scenarios`: `setup(ctx)` returns one autocannon request (method,
// path, headers, body, setupRequest, onResponse) or `{ requests: [...] }`, and runs before each
// autocannon run (warm-up and measured) so that each starts from fresh state. A scenario whose
// requests use something up (one-time tokens) sets `amount`: its runs then make a fixed number of
// requests instead of running for a duration, and `ctx.amount` tells `setup` how many to prepare.
//
// After the HTTP scenarios, the sweep phase (bench/sweep.mjs; `--no-sweep` skips it, it takes a
// few minutes) seeds `--sweep-users` abandoned anonymous users into the same local D1 and fires the
// cron handler through `wrangler dev --test-scheduled` until a run is complete (at most
// SWEEP_MAX_RUNS runs or SWEEP_MAX_MS): how fast the sweep works off a backlog, run by run.
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
// The service runs with RATE_LIMITS=false: its per-IP and per-email limits (30 and 10 a minute)
// would otherwise answer 429 to every sign-in scenario within its first second.
import autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { measureBundle, printBundle } from './bundle.mjs'
import { printMemory, startRssSampler } from './memory.mjs'
import {
  countScale,
  hashScalePassword,
  measureEmailLookup,
  printEmailLookup,
  printSeed,
  SCALE_PASSWORD,
  scaleEmail,
  seedScale,
} from './scale.mjs'
import { snapshotTree } from './snapshot.mjs'
import { measureSweep, printSweep } from './sweep.mjs'
import { measureAnonymous, printAnonymous } from './anonymous.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUTPUT_DIR = join(ROOT, 'bench', 'output')
const STATE_DIR = join(OUTPUT_DIR, 'state')
const BUNDLE_DIR = join(OUTPUT_DIR, 'dist')
const RSS_INTERVAL_MS = 500
const PORT = Number(process.env.BENCH_PORT ?? 8799)
const BASE_URL = `http://127.0.0.1:${PORT}`
const STARTUP_TIMEOUT_MS = 60_000
const WARMUP_REQUESTS = 100
const LATENCY_CONNECTIONS = 4
// Every non-cookie POST names its transport; it is also what exempts it from the Origin (CSRF) check.
const TOKEN_TRANSPORT = { 'X-Session-Transport': 'token' }
const JSON_POST = { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' }
// Must match src/auth/passwords.ts: the derivation every login pays for.
const PBKDF2_ITERATIONS = 100_000
const PBKDF2_SAMPLES = 20
// Setup requests in flight at once while a pool of magic-link tokens is made.
const SETUP_CONCURRENCY = 10
// The sweep phase's bounds: past them the backlog is reported incomplete.
const SWEEP_MAX_RUNS = 30
const SWEEP_MAX_MS = 5 * 60_000
// For the admin metrics, where the sweep phase reads each cron run's result.
const ADMIN_TOKEN = randomBytes(32).toString('base64url')

const scenarios = [
  {
    name: 'healthz',
    // The ceiling: routing and JSON with no auth and no storage.
    ceiling: true,
    setup: () => ({ method: 'GET', path: '/healthz' }),
  },
  {
    name: 'token-info',
    target: {
      text: 'req/s >= 85% of the ceiling',
      met: (result, ceiling) => result.rps >= 0.85 * ceiling.rps,
    },
    async setup(ctx) {
      const { tokens } = await ctx.createSession()
      return {
        method: 'GET',
        path: '/v1/auth/token-info',
        headers: { Authorization: `Bearer ${tokens.accessToken}` },
      }
    },
  },
  {
    name: 'anonymous',
    latencyAt: 40,
    target: { text: 'p99 < 50 ms at 40 req/s', met: (result) => result.fixedRate.p99 < 50 },
    setup: () => ({ method: 'POST', path: '/v1/sessions/anonymous', headers: TOKEN_TRANSPORT }),
  },
  {
    name: 'refresh',
    latencyAt: 40,
    target: { text: 'p99 < 50 ms at 40 req/s', met: (result) => result.fixedRate.p99 < 50 },
    setup: async (ctx) => chainedRefresh(await ctx.createSessions(ctx.connections)),
  },
  {
    name: 'login',
    // One PBKDF2 derivation per request dominates it: read its req/s against the PBKDF2 line too.
    async setup(ctx) {
      if (ctx.scale) return rotatingLogin(ctx.scale)
      return {
        method: 'POST',
        path: '/v1/auth/login',
        headers: JSON_POST,
        // Always the right password: failed logins are counted per email and back off.
        body: JSON.stringify(await loginAccount()),
      }
    },
  },
  {
    name: 'preferences PATCH',
    async setup(ctx) {
      const { tokens } = await ctx.createSession()
      return {
        method: 'PATCH',
        path: '/v1/me/preferences',
        headers: { ...JSON_POST, Authorization: `Bearer ${tokens.accessToken}` },
        body: JSON.stringify({ theme: 'dark', locale: 'en-GB', bench: { runs: 1 } }),
      }
    },
  },
  {
    name: 'documents list (1,000)',
    // One user with 1,000 documents, newest-first pages of 100: made once, used by both runs.
    setup: once(async (ctx) => {
      const { tokens } = await ctx.createSession()
      const auth = { Authorization: `Bearer ${tokens.accessToken}` }
      await createDocuments(auth, DOCUMENTS_PER_USER)
      return { method: 'GET', path: '/v1/documents?limit=100', headers: auth }
    }),
  },
  {
    name: 'magic-link verify',
    // Each token works once, so a run makes a fixed number of requests from a pool made for it.
    amount: 300,
    setup: async (ctx) =>
      magicLinkVerify(await createMagicLinkTokens(ctx.amount, ctx.scale?.nextMagicLinkEmail)),
  },
]

const DOCUMENTS_PER_USER = 1_000

/** `setup` that runs once and hands the same request to the warm-up and the measured run. */
function once(setup) {
  let made
  return (ctx) => (made ??= setup(ctx))
}

/** Creates `count` documents for the bearer, ten at a time. */
async function createDocuments(auth, count) {
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) =>
      fetch(`${BASE_URL}/v1/documents`, {
        method: 'POST',
        headers: { ...JSON_POST, ...auth },
        body: JSON.stringify({ title: `Document ${i + j}`, content: 'x'.repeat(500) }),
        signal: AbortSignal.timeout(10_000),
      }),
    )
    for (const response of await Promise.all(batch)) {
      if (response.status !== 201)
        throw new Error(`creating a document answered ${response.status}`)
    }
  }
}

/**
 * Scale mode's login: every request signs into the next seeded account (all share one password),
 * so each pays its own email lookup, login_attempts read and session start, as many users would.
 */
function rotatingLogin(scale) {
  return {
    method: 'POST',
    path: '/v1/auth/login',
    headers: JSON_POST,
    setupRequest(request) {
      const email = scale.nextLoginEmail()
      return { ...request, body: JSON.stringify({ email, password: SCALE_PASSWORD }) }
    },
  }
}

/**
 * Where scale mode's scenarios take seeded emails: login from the first account up, magic links
 * from the last one down, so that no account is used twice until 10,000 requests have been made.
 */
function scaleCursor(accounts) {
  let login = 0
  let magicLink = 0
  const used = { login: 0, magicLink: 0 }
  return {
    accounts,
    used,
    nextLoginEmail: () => (used.login++, scaleEmail((login++ % accounts) + 1)),
    nextMagicLinkEmail: () => (used.magicLink++, scaleEmail(accounts - (magicLink++ % accounts))),
  }
}

/** The account every login run signs into; registered once, since registering again answers 409. */
let loginCredentials
function loginAccount() {
  loginCredentials ??= registerAccount({
    // Random, since the local database persists between runs and the email would already exist.
    email: `bench-login-${randomBytes(6).toString('hex')}@example.com`,
    password: randomBytes(18).toString('base64url'),
  })
  return loginCredentials
}

async function registerAccount(credentials) {
  const response = await fetch(`${BASE_URL}/v1/auth/register`, {
    method: 'POST',
    headers: JSON_POST,
    body: JSON.stringify(credentials),
    signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 201) {
    throw new Error(`registering an account answered ${response.status}: ${await response.text()}`)
  }
  return credentials
}

/**
 * Verify requests that each take a token nobody has used. `setupRequest` runs once per request
 * sent, so a pool as large as the run's `amount` lasts it.
 */
function magicLinkVerify(tokens) {
  return {
    method: 'POST',
    path: '/v1/auth/magic-link/verify',
    headers: JSON_POST,
    setupRequest(request) {
      // Empty only if requests were re-sent after errors: the request is then counted as a
      // non-2xx instead of crashing the run.
      return { ...request, body: JSON.stringify({ token: tokens.pop() ?? '' }) }
    },
  }
}

/**
 * `count` unused magic-link tokens, each for its own email (a fresh account on verify), read from
 * the local outbox. A few requests at a time, so that making the pool does not flood the server.
 */
async function createMagicLinkTokens(count, emailFor = freshEmail) {
  const tokens = []
  let next = 0
  async function worker() {
    while (next < count) {
      next++
      tokens.push(await createMagicLinkToken(emailFor()))
    }
  }
  await Promise.all(Array.from({ length: Math.min(SETUP_CONCURRENCY, count) }, worker))
  return tokens
}

// A fresh email per token, so that its outbox holds only this link (outboxes persist between runs)
// and each verify signs a new account in. In scale mode the emails are seeded accounts' instead,
// each used once per run, so the link is the newest message of its outbox and signs that account
// in.
const freshEmail = () => `bench-${randomBytes(8).toString('hex')}@example.com`

async function createMagicLinkToken(email) {
  const sent = await fetch(`${BASE_URL}/v1/auth/magic-link`, {
    method: 'POST',
    headers: JSON_POST,
    body: JSON.stringify({ email }),
    signal: AbortSignal.timeout(10_000),
  })
  if (sent.status !== 202) {
    throw new Error(`requesting a magic link answered ${sent.status}: ${await sent.text()}`)
  }
  const outbox = await fetch(`${BASE_URL}/v1/dev/outbox?to=${encodeURIComponent(email)}`, {
    signal: AbortSignal.timeout(10_000),
  })
  const token = outbox.status === 200 ? (await outbox.json()).messages[0]?.token : undefined
  if (!token) throw new Error(`no magic-link token in the outbox of ${email} (${outbox.status})`)
  return token
}

/**
 * Refresh requests that always present each session's latest refresh token, since presenting a
 * rotated one after the grace window counts as reuse and revokes the session.
 *
 * autocannon's per-connection `context` cannot carry the chain: with a single request in the list
 * it resets the context after every response. It does survive from `setupRequest` to that same
 * request's `onResponse`, so each request checks a session out of an idle pool and returns it with
 * the new token. With one session per connection (and no pipelining) a session always is idle,
 * and no session ever has two refreshes in flight.
 */
function chainedRefresh(sessions) {
  const idle = sessions.map((session) => ({ refreshToken: session.tokens.refreshToken }))
  return {
    method: 'POST',
    path: '/v1/auth/refresh',
    headers: JSON_POST,
    setupRequest(request, context) {
      // Empty only if a connection dropped a response (its session is then lost): the request goes
      // out without a token and is counted as a non-2xx instead of crashing the run.
      context.session = idle.pop() ?? { refreshToken: '' }
      return { ...request, body: JSON.stringify({ refreshToken: context.session.refreshToken }) }
    },
    onResponse(status, body, context) {
      const { session } = context
      if (!session?.refreshToken) return
      if (status === 200) session.refreshToken = JSON.parse(body).tokens.refreshToken
      idle.push(session)
    },
  }
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      'no-sweep': { type: 'boolean', default: false },
      'no-anonymous': { type: 'boolean', default: false },
      'no-snapshot': { type: 'boolean', default: false },
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
    scale: values.scale,
    ...(values.scale ? { scaleAccounts, scaleAnonymous } : {}),
  }
}

/** Starts the service in its own process group so that the whole tree (npx, wrangler, workerd) can be stopped. */
function startService(tree, logPath, extraArgs = []) {
  // A fresh D1 and Durable Object state every run: each session is a SQLite file locally, so a
  // state directory that grows run after run would make the runs incomparable.
  rmSync(STATE_DIR, { recursive: true, force: true })
  const log = openSync(logPath, 'w')
  const child = spawn(
    process.execPath,
    // Request logging (wrangler's info level) would cost the server time on every request. The
    // rate limits would turn the sign-in scenarios into 429s (see the top of this file).
    ['scripts/start.mjs', '--log-level', 'warn', '--var', 'RATE_LIMITS:false', ...extraArgs],
    {
      cwd: tree,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        PORT: String(PORT),
        PERSIST_TO: STATE_DIR,
        WRANGLER_SEND_METRICS: 'false',
      },
    },
  )
  closeSync(log)
  let exited = false
  const exit = new Promise((resolve) => child.on('exit', resolve)).then(() => (exited = true))
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal)
    } catch {
      // The group is already gone.
    }
  }
  /** SIGTERM to the whole group, then SIGKILL whatever is left after a grace period. */
  async function stop() {
    signalGroup('SIGTERM')
    const timer = setTimeout(() => signalGroup('SIGKILL'), 10_000)
    await exit
    clearTimeout(timer)
    // workerd may outlive its parents for a moment; it is in the same group.
    signalGroup('SIGKILL')
    rmSync(STATE_DIR, { recursive: true, force: true })
  }
  return {
    pid: child.pid,
    stop,
    hasExited: () => exited,
    killNow: () => signalGroup('SIGKILL'),
  }
}

async function isHealthy() {
  try {
    const response = await fetch(`${BASE_URL}/healthz`, { signal: AbortSignal.timeout(2_000) })
    return response.status === 200
  } catch {
    return false
  }
}

async function waitUntilHealthy(service) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (service.hasExited()) throw new Error('the service exited during startup')
    if (await isHealthy()) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`/healthz did not answer 200 within ${STARTUP_TIMEOUT_MS / 1000} s`)
}

async function createSession() {
  const response = await fetch(`${BASE_URL}/v1/sessions/anonymous`, {
    method: 'POST',
    headers: TOKEN_TRANSPORT,
    signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 201) {
    throw new Error(`creating a session answered ${response.status}: ${await response.text()}`)
  }
  return response.json()
}

/** One bounded autocannon run; a watchdog stops it even if the server stops answering. */
async function cannon(options, limitMs) {
  const instance = autocannon({ url: BASE_URL, timeout: 10, ...options })
  const watchdog = setTimeout(() => instance.stop(), limitMs)
  let lastResponseAt = Date.now()
  instance.on('response', () => (lastResponseAt = Date.now()))
  try {
    const result = await instance
    if (!options.amount) return result
    // autocannon notices that an `amount` run is over only at its next 1 s sample, so its duration
    // and per-second averages include up to a second of idleness; the last response is the end.
    return { ...result, activeSeconds: (lastResponseAt - result.start.getTime()) / 1000 }
  } finally {
    clearTimeout(watchdog)
  }
}

function summarize(name, result) {
  return {
    name,
    rps: result.activeSeconds
      ? result.requests.total / result.activeSeconds
      : result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
    statusCodes: result.statusCodeStats,
  }
}

/** A scenario's requests as autocannon options (top-level `path` is ignored by autocannon). */
async function requestOptions(scenario, ctx) {
  const options = await scenario.setup(ctx)
  return options.requests ? options : { requests: [options] }
}

async function runScenario(scenario, ctx, { duration, connections }) {
  // Warm-up first (JIT, D1 and Durable Object start-up), with fresh setup so that state used up
  // by the warm-up, such as refresh sessions, does not leak into the measured run.
  const warmupAmount = Math.max(WARMUP_REQUESTS, connections)
  const warmup = await cannon(
    {
      ...(await requestOptions(scenario, { ...ctx, amount: warmupAmount })),
      connections,
      amount: warmupAmount,
    },
    30_000,
  )
  // A fixed amount is bounded by the watchdog alone: 60 s is far beyond any run of a few hundred.
  const amount = scenario.amount && Math.max(scenario.amount, connections)
  const measured = await cannon(
    {
      ...(await requestOptions(scenario, { ...ctx, amount })),
      connections,
      ...(amount ? { amount } : { duration }),
    },
    amount ? 60_000 : (duration + 15) * 1000,
  )
  const result = summarize(scenario.name, measured)
  result.warmupFailures = warmup.non2xx + warmup.errors
  if (scenario.latencyAt) {
    const paced = await cannon(
      {
        ...(await requestOptions(scenario, { ...ctx, connections: LATENCY_CONNECTIONS })),
        connections: LATENCY_CONNECTIONS,
        overallRate: scenario.latencyAt,
        duration,
      },
      (duration + 15) * 1000,
    )
    result.fixedRate = summarize(`${scenario.name} @ ${scenario.latencyAt}/s`, paced)
  }
  return result
}

/**
 * What one login's PBKDF2 derivation costs on this machine, timed here with Node's WebCrypto (the
 * same SHA-256 rounds workerd runs): 1000 / ms is the most logins one core could answer per second.
 */
async function measurePbkdf2() {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode('bench-password'),
    'PBKDF2',
    false,
    ['deriveBits'],
  )
  async function timeOne() {
    const salt = crypto.getRandomValues(new Uint8Array(16))
    const start = performance.now()
    await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: PBKDF2_ITERATIONS },
      key,
      256,
    )
    return performance.now() - start
  }
  // The first call also pays for start-up (thread pool, code paths); it is not what a login costs.
  await timeOne()
  const times = []
  for (let i = 0; i < PBKDF2_SAMPLES; i++) times.push(await timeOne())
  const msPerCall = median(times)
  return {
    iterations: PBKDF2_ITERATIONS,
    samples: PBKDF2_SAMPLES,
    msPerCall,
    singleCoreCeilingRps: 1000 / msPerCall,
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

function printPbkdf2(pbkdf2, login) {
  const ms = format(pbkdf2.msPerCall)
  const iterations = pbkdf2.iterations.toLocaleString('en-US')
  const ceiling = pbkdf2.singleCoreCeilingRps
  console.log(`\nPBKDF2-SHA256 x${iterations}: ${ms} ms per call (Node, this machine)`)
  console.log(`  single-core login ceiling: 1000 / ${ms} = ${format(ceiling)} req/s`)
  if (login) {
    const share = format((100 * login.rps) / ceiling)
    console.log(`  login: ${format(login.rps)} req/s = ${share}% of that ceiling`)
  }
}

function format(number, digits = 1) {
  return Number.isFinite(number) ? number.toFixed(digits) : '-'
}

function printTable(results, ceiling) {
  const rows = results.flatMap((r) => [
    row(r, ceiling),
    ...(r.fixedRate ? [row(r.fixedRate, ceiling)] : []),
  ])
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs ceiling']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((cells) => cells[i].length)))
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const cells of rows) console.log(line(cells))
}

function row(r, ceiling) {
  return [
    r.name,
    format(r.rps),
    format(r.p50),
    format(r.p99),
    String(r.non2xx),
    String(r.errors),
    `${format((100 * r.rps) / ceiling.rps)}%`,
  ]
}

function evaluateTargets(results, ceiling) {
  return scenarios
    .filter((scenario) => scenario.target)
    .map((scenario) => {
      const result = results.find((r) => r.name === scenario.name)
      return {
        name: scenario.name,
        target: scenario.target.text,
        met: scenario.target.met(result, ceiling),
      }
    })
}

async function main() {
  const startedAt = performance.now()
  const loadBefore = loadavg()
  const options = parseOptions()
  if (await isHealthy()) throw new Error(`something already answers on ${BASE_URL}; set BENCH_PORT`)
  // Before the service starts, so that nothing else competes for the cores while it is timed.
  const pbkdf2 = await measurePbkdf2()
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
  // Also before the service starts: bundling takes a few seconds of CPU.
  let bundle
  try {
    bundle = await measureBundle(tree, BUNDLE_DIR)
  } catch (error) {
    bundle = { error: error.message }
  }
  const scaleHash = options.scale ? await hashScalePassword() : null
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
      pbkdf2,
      bundle,
      scaleHash,
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
  const { tree, pbkdf2, bundle, rss, startedAt, loadBefore } = run
  try {
    await waitUntilHealthy(service)
  } catch (error) {
    console.error(readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n'))
    throw error
  }
  const healthyAt = performance.now()
  // What ran when, to tell in which phase the runtime restarted, if it did.
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

  // Scale mode: seed before anything is measured, then check that a seeded account signs in.
  let scale = null
  if (options.scale) {
    const seed = await phase('scale seed', () =>
      seedScale({
        root: tree,
        stateDir: STATE_DIR,
        accounts: options.scaleAccounts,
        anonymous: options.scaleAnonymous,
        passwordHash: run.scaleHash,
      }),
    )
    printSeed(seed)
    await checkScaleLogin(scaleEmail(1))
    scale = { seed, cursor: scaleCursor(options.scaleAccounts) }
  }

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
  console.log('\nTargets:')
  for (const t of targets) console.log(`  ${t.met ? 'MET   ' : 'MISSED'}  ${t.name}: ${t.target}`)

  const failed = results.filter(
    (r) => r.non2xx || r.errors || r.warmupFailures || r.fixedRate?.non2xx || r.fixedRate?.errors,
  )
  for (const r of failed) {
    console.error(
      `\n${r.name}: ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts), ` +
        `${r.warmupFailures} warm-up failures; status codes ${JSON.stringify(r.statusCodes)}`,
    )
  }

  // The email lookup, in D1: after the HTTP scenarios (it needs the ceiling, and must not disturb
  // them), before the sweep phase changes the table.
  let emailLookup = null
  if (scale) {
    try {
      emailLookup = await phase('email lookup', () =>
        measureEmailLookup({ root: tree, stateDir: STATE_DIR, accounts: options.scaleAccounts }),
      )
      emailLookup.ceilingRatio = {
        indexed: emailLookup.indexedPerSecond / ceiling.rps,
        net: emailLookup.netPerSecond ? emailLookup.netPerSecond / ceiling.rps : null,
      }
      printEmailLookup(emailLookup, ceiling)
    } catch (error) {
      console.error(`\nemail lookup failed: ${error.message}`)
      emailLookup = { error: error.message }
    }
  }

  // After the HTTP scenarios, so that neither the seed nor the sweep's work disturbs them.
  let sweep = null
  if (options.sweep) {
    console.log(`\nSweep phase: ${options.sweepUsers.toLocaleString('en-US')} abandoned users...`)
    try {
      sweep = await phase('sweep phase', () =>
        measureSweep({
          root: tree,
          stateDir: STATE_DIR,
          baseUrl: BASE_URL,
          adminToken: ADMIN_TOKEN,
          users: options.sweepUsers,
          maxRuns: SWEEP_MAX_RUNS,
          maxMs: SWEEP_MAX_MS,
        }),
      )
      printSweep(sweep)
    } catch (error) {
      console.error(`\nsweep phase failed: ${error.message}`)
      sweep = { error: error.message }
    }
  }

  // Issue #12's ratios under `npm start` with default logging: a service of its own (anonymous.mjs).
  const anonymous = options.anonymous
    ? await phase('anonymous-first', () =>
        measureAnonymous({ tree, duration: options.duration }).catch((e) => ({ error: e.message })),
      )
    : null
  printAnonymous(anonymous)

  // Scale mode: the seeded users must all have survived the sweep phase (and the scenarios).
  let survival = null
  if (scale) {
    try {
      const before = scale.seed.counts
      const after = await countScale(tree, STATE_DIR)
      survival = {
        afterSweep: Boolean(sweep && !sweep.error),
        before,
        after,
        kept: after.anonymous === before.anonymous && after.accounts === before.accounts,
      }
      const n = (v) => v.toLocaleString('en-US')
      console.log(
        `\nScale survival${survival.afterSweep ? ' after the sweep phase' : ' (no sweep phase ran)'}: ` +
          `recent anonymous users ${n(before.anonymous)} -> ${n(after.anonymous)}, ` +
          `accounts ${n(before.accounts)} -> ${n(after.accounts)}: ` +
          (survival.kept ? 'all kept' : 'FAILED, seeded users were deleted'),
      )
    } catch (error) {
      console.error(`\nscale survival check failed: ${error.message}`)
      survival = { error: error.message, kept: false }
    }
  }

  const memory = rss.stop()
  // Start-up, the HTTP scenarios together, and each other phase on its own.
  const scenarioPhases = phases.filter((p) => scenarios.some((s) => s.name === p.name))
  memory.byPhase = [
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
  printMemory(memory)
  const restarts = runtimeRestarts(memory, healthyAt, phases)
  for (const r of restarts) {
    console.log(
      `  WARNING: a new workerd (pid ${r.pid}) started ${r.atSeconds.toFixed(0)} s after the service, during ` +
        `${r.phase}: the runtime restarted (wrangler dev reloads on file changes); figures of ` +
        'that phase are disturbed',
    )
  }
  printBundle(bundle)
  const loadAfter = loadavg()
  const durationMs = performance.now() - startedAt
  const loads = (l) => l.map((v) => v.toFixed(2)).join(' ')
  console.log(
    `\nLoad average (1/5/15 min): ${loads(loadBefore)} before, ${loads(loadAfter)} after, on ` +
      `${availableParallelism()} cores; whole run ${(durationMs / 1000).toFixed(0)} s`,
  )

  const outputPath = join(OUTPUT_DIR, 'latest.json')
  writeFileSync(
    outputPath,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        baseUrl: BASE_URL,
        options,
        pbkdf2,
        results,
        targets,
        sweep,
        anonymous,
        scale: scale && {
          accounts: options.scaleAccounts,
          anonymous: options.scaleAnonymous,
          seed: scale.seed,
          // The scenarios that ran against the seed; their figures are in `results`.
          scenarios: {
            login: {
              ...results.find((r) => r.name === 'login'),
              emailsUsed: scale.cursor.used.login,
            },
            magicLinkVerify: {
              ...results.find((r) => r.name === 'magic-link verify'),
              emailsUsed: scale.cursor.used.magicLink,
            },
          },
          emailLookup,
          survival,
        },
        memory,
        runtimeRestarts: restarts,
        snapshot: run.snapshot,
        bundle,
        load: { before: loadBefore, after: loadAfter },
        durationMs,
      },
      null,
      2,
    ) + '\n',
  )
  console.log(`\nWrote ${outputPath} (server log: ${logPath})`)
  const scaleFailed = scale && (emailLookup?.error || !survival?.kept)
  return failed.length === 0 && !sweep?.error && !scaleFailed ? 0 : 1
}

/**
 * workerd processes of the service that started after it answered /healthz: wrangler dev replaces
 * the runtime's process when it reloads, so each is a restart, placed in the phase it fell in.
 */
function runtimeRestarts(memory, healthyAt, phases) {
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

/** One login to a seeded account before anything is measured: the shared hash must verify. */
async function checkScaleLogin(email) {
  const response = await fetch(`${BASE_URL}/v1/auth/login`, {
    method: 'POST',
    headers: JSON_POST,
    body: JSON.stringify({ email, password: SCALE_PASSWORD }),
    signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 200) {
    throw new Error(
      `logging in to seeded ${email} answered ${response.status}: ${await response.text()}`,
    )
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench failed: ${error.message}`)
    process.exit(1)
  },
)
