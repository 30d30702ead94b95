// The anonymous-first phase of `npm run bench` (issue #12), also runnable alone:
//
//   node bench/anonymous.mjs [--duration 10 --connections 32]
//
// Starts its own service the way `npm start` does, with request logging off (wrangler's
// `--log-level warn` and the app's LOG_LEVEL=warn, as the issue's comparison ran), the rate limits off (a per-IP limit
// of 60 anonymous sessions a minute would answer 429 within a second), on BENCH_ANONYMOUS_PORT
// (default 8798) with a fresh state directory. Then, against the GET /healthz ceiling of the same
// service in the same run (measured first and again last; the ratios use the mean of the two):
//
//   anonymous creation   POST /v1/sessions/anonymous: issued, nothing stored    goal >= 0.75
//   steady refresh       POST /v1/auth/refresh of materialised sessions           goal >= 0.40
//   me (bearer)          GET /v1/me with the bearer of a materialised session     goal >= 0.60
//   me (issued bearer)   GET /v1/me with the bearer of an issued session          reported
//   token-info           GET /v1/auth/token-info                                  goal >= 0.85
//   first refresh        each request the first refresh of its own issued
//                        session, so it materialises (D1 batch + object)         goal >= 0.30
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { cannon as runCannon } from './load.mjs'
import { chainedRefresh } from './scenarios.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const TOKEN_TRANSPORT = { 'X-Session-Transport': 'token' }
const JSON_POST = { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' }
const WARMUP_REQUESTS = 200
const STARTUP_TIMEOUT_MS = 90_000
/** Issued sessions made for the first-refresh run, a few at a time. */
const FIRST_REFRESHES = 1_000
const SETUP_CONCURRENCY = 10

const GOALS = {
  anonymous: 0.75,
  'first refresh': 0.3,
  'steady refresh': 0.4,
  'me (bearer)': 0.6,
  'token-info': 0.85,
}

/** Runs the phase: starts the service, measures, stops it. */
export async function measureAnonymous({
  tree = ROOT,
  outputDir = join(ROOT, 'bench', 'output'),
  port = Number(process.env.BENCH_ANONYMOUS_PORT ?? 8798),
  duration = 10,
  connections = 32,
} = {}) {
  const baseUrl = `http://127.0.0.1:${port}`
  if (await isHealthy(baseUrl)) throw new Error(`something already answers on ${baseUrl}`)
  const stateDir = join(outputDir, 'state-anonymous')
  mkdirSync(outputDir, { recursive: true })
  const service = startService(tree, port, stateDir, join(outputDir, 'server-anonymous.log'))
  const loadBefore = loadavg()
  try {
    await waitUntilHealthy(baseUrl, service)
    const api = client(baseUrl)
    const run = (name, requests, amount) =>
      measure(baseUrl, name, requests, { duration, connections, amount })

    const results = []
    results.push(await run('healthz', () => [{ method: 'GET', path: '/healthz' }]))
    results.push(
      await run('anonymous', () => [
        { method: 'POST', path: '/v1/sessions/anonymous', headers: TOKEN_TRANSPORT },
      ]),
    )
    results.push(
      await run(
        'first refresh',
        async (amount) => oneEach(await api.issuedSessions(amount)),
        FIRST_REFRESHES,
      ),
    )
    results.push(
      await run('steady refresh', async () => [
        // The shared scenario (scenarios.mjs) takes sessions as the sign-in answers hold them.
        chainedRefresh((await api.materialisedSessions(connections)).map((tokens) => ({ tokens }))),
      ]),
    )
    results.push(
      await run('me (bearer)', async () => {
        const [session] = await api.materialisedSessions(1)
        return [{ method: 'GET', path: '/v1/me', headers: bearer(session.accessToken) }]
      }),
    )
    results.push(
      await run('me (issued bearer)', async () => {
        const [session] = await api.issuedSessions(1)
        return [{ method: 'GET', path: '/v1/me', headers: bearer(session.accessToken) }]
      }),
    )
    results.push(
      await run('token-info', async () => {
        const [session] = await api.issuedSessions(1)
        return [
          { method: 'GET', path: '/v1/auth/token-info', headers: bearer(session.accessToken) },
        ]
      }),
    )
    // The ceiling moves by several percent from one run to the next on this machine (two quiet
    // runs of the same tree: 1,027 and 1,168 req/s), so it is measured before and after the
    // scenarios and their mean is what every ratio divides by; both runs are in the table.
    results.push(await run('healthz (again)', () => [{ method: 'GET', path: '/healthz' }]))
    const ceiling = (results[0].rps + results.at(-1).rps) / 2
    for (const result of results) {
      result.ratio = result.rps / ceiling
      const goal = GOALS[result.name]
      if (goal !== undefined) result.goal = { ratio: goal, met: result.ratio >= goal }
    }
    return {
      baseUrl,
      duration,
      connections,
      logging: 'off (--log-level warn, LOG_LEVEL=warn)',
      loadBefore,
      loadAfter: loadavg(),
      results,
    }
  } finally {
    await service.stop()
    rmSync(stateDir, { recursive: true, force: true })
  }
}

export function printAnonymous(phase) {
  if (!phase) return
  if (phase.error) {
    console.log(`\nAnonymous-first phase failed: ${phase.error}`)
    return
  }
  console.log(
    `\nAnonymous-first (npm start, request logging off, ${phase.connections} connections, ` +
      `${phase.duration} s a run; ratios against the mean of GET /healthz before and after):`,
  )
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'vs /healthz', 'goal']
  const rows = phase.results.map((r) => [
    r.name,
    r.rps.toFixed(1),
    String(r.p50),
    String(r.p99),
    String(r.non2xx + r.errors),
    r.ratio.toFixed(2),
    r.goal ? `>= ${r.goal.ratio.toFixed(2)} ${r.goal.met ? 'MET' : 'MISSED'}` : '',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((cells) => cells[i].length)))
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const cells of rows) console.log(line(cells))
  const loads = (l) => l.map((v) => v.toFixed(2)).join(' ')
  console.log(`  load average before ${loads(phase.loadBefore)}, after ${loads(phase.loadAfter)}`)
}

/** Warm-up, then one measured run; `requests(amount)` is made afresh for each. */
async function measure(baseUrl, name, requests, { duration, connections, amount }) {
  process.stdout.write(`  ${name}...`)
  const warmupAmount = Math.max(WARMUP_REQUESTS, connections)
  const warmup = await cannon(baseUrl, {
    requests: await requests(warmupAmount),
    connections,
    amount: warmupAmount,
  })
  const result = await cannon(baseUrl, {
    requests: await requests(amount),
    connections,
    ...(amount ? { amount } : { duration }),
  })
  process.stdout.write(' done\n')
  const failures = result.non2xx + result.errors + warmup.non2xx + warmup.errors
  if (failures)
    throw new Error(
      `${name}: ${failures} failed requests (${JSON.stringify(result.statusCodeStats)})`,
    )
  return {
    name,
    rps: result.activeSeconds
      ? result.requests.total / result.activeSeconds
      : result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  }
}

/** One bounded run through the bench's shared autocannon wrapper (load.mjs). */
function cannon(baseUrl, options) {
  return runCannon(options, options.amount ? 120_000 : (options.duration + 15) * 1000, baseUrl)
}

const bearer = (token) => ({ Authorization: `Bearer ${token}` })

/** Sessions for a scenario's setup, made SETUP_CONCURRENCY at a time (bench/profile.mjs too). */
export function client(baseUrl) {
  async function post(path, body, expected) {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: body ? JSON_POST : TOKEN_TRANSPORT,
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    })
    if (response.status !== expected)
      throw new Error(`${path} answered ${response.status}: ${await response.text()}`)
    return (await response.json()).tokens
  }
  const issue = () => post('/v1/sessions/anonymous', null, 201)
  const materialise = async () => {
    const issued = await issue()
    return post('/v1/auth/refresh', { refreshToken: issued.refreshToken }, 200)
  }
  const pool = async (count, make) => {
    const made = []
    let next = 0
    const worker = async () => {
      while (next < count) {
        next++
        made.push(await make())
      }
    }
    await Promise.all(Array.from({ length: Math.min(SETUP_CONCURRENCY, count) }, worker))
    return made
  }
  return {
    issuedSessions: (count) => pool(count, issue),
    materialisedSessions: (count) => pool(count, materialise),
  }
}

/** Each request presents the first refresh token of a session of its own: one materialisation each. */
export function oneEach(sessions) {
  const tokens = sessions.map((s) => s.refreshToken)
  return [
    {
      method: 'POST',
      path: '/v1/auth/refresh',
      headers: JSON_POST,
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ refreshToken: tokens.pop() ?? '' }),
      }),
    },
  ]
}

/**
 * `npm start` (scripts/start.mjs) in its own process group, request logging off, limits off;
 * `args` go to `wrangler dev` and `env` to the build (bench/profile.mjs opens the inspector).
 */
export function startService(tree, port, stateDir, logPath, { args = [], env = {} } = {}) {
  rmSync(stateDir, { recursive: true, force: true })
  const log = openSync(logPath, 'w')
  const quiet = ['--log-level', 'warn', '--var', 'LOG_LEVEL:warn', '--var', 'RATE_LIMITS:false']
  const child = spawn(process.execPath, ['scripts/start.mjs', ...quiet, ...args], {
    cwd: tree,
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      PORT: String(port),
      PERSIST_TO: stateDir,
      WRANGLER_SEND_METRICS: 'false',
      ...env,
    },
  })
  closeSync(log)
  let exited = false
  const exit = new Promise((resolve) => child.on('exit', resolve)).then(() => (exited = true))
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal)
    } catch {
      // Already gone.
    }
  }
  process.on('exit', () => signalGroup('SIGKILL'))
  return {
    hasExited: () => exited,
    async stop() {
      signalGroup('SIGTERM')
      const timer = setTimeout(() => signalGroup('SIGKILL'), 10_000)
      await exit
      clearTimeout(timer)
      signalGroup('SIGKILL')
    },
  }
}

async function isHealthy(baseUrl) {
  try {
    const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) })
    return response.status === 200
  } catch {
    return false
  }
}

/** Waits for /healthz; `service`, when given, is watched for an early exit. */
export async function waitUntilHealthy(baseUrl, service) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (service?.hasExited()) throw new Error('the service exited during start-up')
    if (await isHealthy(baseUrl)) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`${baseUrl}/healthz did not answer within ${STARTUP_TIMEOUT_MS / 1000} s`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
    },
  })
  const phase = await measureAnonymous({
    duration: Number(values.duration),
    connections: Number(values.connections),
  })
  printAnonymous(phase)
}
