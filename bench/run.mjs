#!/usr/bin/env node
// Load benchmark for the local service (`wrangler dev`: workerd + local D1 + local Durable Objects).
//
//   npm run bench [-- --duration 10 --connections 10]
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
// autocannon run (warm-up and measured) so that each starts from fresh state.
import autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUTPUT_DIR = join(ROOT, 'bench', 'output')
const PORT = Number(process.env.BENCH_PORT ?? 8799)
const BASE_URL = `http://127.0.0.1:${PORT}`
const STARTUP_TIMEOUT_MS = 60_000
const WARMUP_REQUESTS = 100
const LATENCY_CONNECTIONS = 4
// Every non-cookie POST names its transport; it is also what exempts it from the Origin (CSRF) check.
const TOKEN_TRANSPORT = { 'X-Session-Transport': 'token' }

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
]

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
    headers: { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' },
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
    },
  })
  const duration = Number(values.duration)
  const connections = Number(values.connections)
  for (const [name, value] of Object.entries({ duration, connections })) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} must be a positive integer`)
  }
  return { duration, connections }
}

/** Starts the service in its own process group so that the whole tree (npx, wrangler, workerd) can be stopped. */
function startService(logPath) {
  const log = openSync(logPath, 'w')
  const child = spawn(
    process.execPath,
    // Request logging (wrangler's info level) would cost the server time on every request.
    ['scripts/start.mjs', '--log-level', 'warn'],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, PORT: String(PORT), WRANGLER_SEND_METRICS: 'false' },
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
  }
  return { stop, hasExited: () => exited, killNow: () => signalGroup('SIGKILL') }
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
  try {
    return await instance
  } finally {
    clearTimeout(watchdog)
  }
}

function summarize(name, result) {
  return {
    name,
    rps: result.requests.average,
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
  const warmup = await cannon(
    {
      ...(await requestOptions(scenario, ctx)),
      connections,
      amount: Math.max(WARMUP_REQUESTS, connections),
    },
    30_000,
  )
  const measured = await cannon(
    { ...(await requestOptions(scenario, ctx)), connections, duration },
    (duration + 15) * 1000,
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
  const options = parseOptions()
  if (await isHealthy()) throw new Error(`something already answers on ${BASE_URL}; set BENCH_PORT`)
  mkdirSync(OUTPUT_DIR, { recursive: true })
  const logPath = join(OUTPUT_DIR, 'server.log')
  const service = startService(logPath)
  // Last resort when this process ends abruptly; the normal path awaits a graceful stop below.
  process.on('exit', service.killNow)
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130))
  try {
    return await benchmark(service, logPath, options)
  } finally {
    await service.stop()
  }
}

async function benchmark(service, logPath, options) {
  try {
    await waitUntilHealthy(service)
  } catch (error) {
    console.error(readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n'))
    throw error
  }

  const ctx = {
    connections: options.connections,
    createSession,
    createSessions: (count) => Promise.all(Array.from({ length: count }, createSession)),
  }
  console.log(
    `Benchmarking ${BASE_URL}: ${options.connections} connections, ${options.duration} s per scenario\n`,
  )
  const results = []
  for (const scenario of scenarios) {
    process.stdout.write(`  ${scenario.name}...`)
    results.push(await runScenario(scenario, ctx, options))
    process.stdout.write(' done\n')
  }

  const ceiling = results.find((r) => r.name === scenarios.find((s) => s.ceiling).name)
  console.log()
  printTable(results, ceiling)
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

  const outputPath = join(OUTPUT_DIR, 'latest.json')
  writeFileSync(
    outputPath,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        baseUrl: BASE_URL,
        options,
        results,
        targets,
      },
      null,
      2,
    ) + '\n',
  )
  console.log(`\nWrote ${outputPath} (server log: ${logPath})`)
  return failed.length === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench failed: ${error.message}`)
    process.exit(1)
  },
)
