// Where a path's CPU goes: starts `npm start` (request logging off, rate limits off, the Worker
// built unminified so functions keep their names) with the inspector open, loads one scenario
// for a few seconds while the Worker's isolate is profiled over the DevTools protocol, writes the
// .cpuprofile (Chrome DevTools or VS Code open it) and prints the functions with the most self and
// inclusive time. The session objects run in the same isolate, so their work is in the profile;
// local D1 and SQLite are not (their time shows as the D1 client's calls and as idle).
//
//   node bench/profile.mjs <healthz|anonymous|token-info|me|refresh|first> [seconds]
//
// The profiler's sampling costs throughput, so read shares from here and rates from `npm run bench`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import { client, oneEach, startService, waitUntilHealthy } from './anonymous.mjs'
import { cannon } from './load.mjs'
import { chainedRefresh } from './scenarios.mjs'

const ROOT = join(import.meta.dirname, '..')
const PORT = Number(process.env.PROFILE_PORT ?? 8797)
const INSPECTOR_PORT = Number(process.env.PROFILE_INSPECTOR_PORT ?? 9333)
const BASE = `http://127.0.0.1:${PORT}`
const CONNECTIONS = 32
const TOKEN = { 'X-Session-Transport': 'token' }
const scenario = process.argv[2] ?? 'refresh'
const seconds = Number(process.argv[3] ?? 8)
const outputDir = join(ROOT, 'bench', 'output')
const state = join(outputDir, 'state-profile')

mkdirSync(outputDir, { recursive: true })
const service = startService(ROOT, PORT, state, join(outputDir, 'server-profile.log'), {
  args: ['--inspector-port', String(INSPECTOR_PORT)],
  env: { WORKER_MINIFY: 'false' },
})

try {
  await waitUntilHealthy(BASE, service)
  const api = client(BASE)
  const amount = scenario === 'first' ? 1_400 : undefined
  // A warm-up, then the profiled run on requests made afresh: a run that ends mid-flight loses the
  // rotated tokens of the refreshes it cut off.
  if (!amount) {
    const warmup = await scenarioRequests(scenario, api)
    await cannon({ requests: warmup, connections: CONNECTIONS, duration: 3 }, 20_000, BASE)
  }
  const requests = await scenarioRequests(scenario, api)
  const profiler = await connectProfiler()
  await profiler.send('Profiler.enable')
  await profiler.send('Profiler.setSamplingInterval', { interval: 200 })
  await profiler.send('Profiler.start')
  const load = amount ? { amount } : { duration: seconds }
  const result = await cannon({ requests, connections: CONNECTIONS, ...load }, 120_000, BASE)
  const { profile } = await profiler.send('Profiler.stop')
  profiler.close()
  const path = join(outputDir, `profile-${scenario}.cpuprofile`)
  writeFileSync(path, JSON.stringify(profile))
  console.log(
    `${scenario}: ${result.requests.total} requests, ${result.non2xx + result.errors} failed; ` +
      `profile in ${path}`,
  )
  summarise(profile)
} finally {
  await service.stop()
  rmSync(state, { recursive: true, force: true })
}

/** The scenario's requests, with the sessions it needs made through the anonymous phase's client. */
async function scenarioRequests(name, api) {
  switch (name) {
    case 'healthz':
      return [{ method: 'GET', path: '/healthz' }]
    case 'anonymous':
      return [{ method: 'POST', path: '/v1/sessions/anonymous', headers: TOKEN }]
    case 'me':
    case 'token-info': {
      const [{ accessToken }] = await api.materialisedSessions(1)
      const path = name === 'me' ? '/v1/me' : '/v1/auth/token-info'
      return [{ method: 'GET', path, headers: { Authorization: `Bearer ${accessToken}` } }]
    }
    case 'first':
      return oneEach(await api.issuedSessions(1_500))
    case 'refresh': {
      // One chain of rotations per connection, as tabs refresh their own sessions.
      const sessions = await api.materialisedSessions(CONNECTIONS)
      return [chainedRefresh(sessions.map((tokens) => ({ tokens })))]
    }
    default:
      throw new Error(
        `unknown scenario ${name}: healthz, anonymous, token-info, me, refresh or first`,
      )
  }
}

/** The DevTools protocol on wrangler's inspector proxy (it wants an Origin header). */
async function connectProfiler() {
  const [target] = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json`)).json()
  const socket = new WebSocket(target.webSocketDebuggerUrl, {
    headers: { Origin: 'https://devtools.devprod.cloudflare.dev' },
  })
  await new Promise((resolve, reject) => socket.on('open', resolve).on('error', reject))
  let id = 0
  const pending = new Map()
  socket.on('message', (data) => {
    const message = JSON.parse(String(data))
    pending.get(message.id)?.(message.result)
    pending.delete(message.id)
  })
  return {
    send: (method, params = {}) =>
      new Promise((resolve) => {
        pending.set(++id, resolve)
        socket.send(JSON.stringify({ id, method, params }))
      }),
    close: () => socket.close(),
  }
}

/** The top functions by self time and by inclusive time, as shares of the samples. */
function summarise(profile, top = 25) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map()
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id)
  const selfTime = new Map()
  profile.samples.forEach((id, i) =>
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  )
  const total = [...selfTime.values()].reduce((a, b) => a + b, 0)
  const label = (id) => {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame
    return `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`
  }
  const self = new Map()
  const inclusive = new Map()
  for (const [id, time] of selfTime) {
    self.set(label(id), (self.get(label(id)) ?? 0) + time)
    const seen = new Set()
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = label(at)
      if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + time)
      seen.add(name)
    }
  }
  const print = (title, table) => {
    console.log(`\n${title}`)
    for (const [name, time] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`${((100 * time) / total).toFixed(1).padStart(5)}%  ${name}`)
  }
  print('self time', self)
  print('inclusive time', inclusive)
}
