// The service under test in `npm run bench` (run.mjs): where it runs, how it is started and
// stopped, and the headers every request to it carries. The scenario and phase modules import
// these from here so that the port, the state directory and the transport header are decided once.
import { spawn } from 'node:child_process'
import { closeSync, openSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const OUTPUT_DIR = join(ROOT, 'bench', 'output')
/** The service's local D1 and Durable Object state; the D1 commands of the phases open it too. */
export const STATE_DIR = join(OUTPUT_DIR, 'state')
const PORT = Number(process.env.BENCH_PORT ?? 8799)
export const BASE_URL = `http://127.0.0.1:${PORT}`
const STARTUP_TIMEOUT_MS = 60_000
// Every non-cookie POST names its transport; it is also what exempts it from the Origin (CSRF) check.
export const TOKEN_TRANSPORT = { 'X-Session-Transport': 'token' }
export const JSON_POST = { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' }

/** Starts the service in its own process group so that the whole tree (npx, wrangler, workerd) can be stopped. */
export function startService(tree, logPath, extraArgs = []) {
  // A fresh D1 and Durable Object state every run: each session is a SQLite file locally, so a
  // state directory that grows run after run would make the runs incomparable.
  rmSync(STATE_DIR, { recursive: true, force: true })
  const log = openSync(logPath, 'w')
  const child = spawn(
    process.execPath,
    // Request logging (wrangler's info level) would cost the server time on every request. The
    // rate limits would turn the sign-in scenarios into 429s (see the top of run.mjs). The
    // anonymous document quota (50, issue #13) would answer 409 while the documents-list scenario
    // gives its anonymous user 1,000 documents; the list query measured is the same either way.
    [
      'scripts/start.mjs',
      '--log-level',
      'warn',
      '--var',
      'RATE_LIMITS:false',
      '--var',
      'QUOTA_DOCUMENTS_ANON:1000',
      ...extraArgs,
    ],
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

export async function isHealthy() {
  try {
    const response = await fetch(`${BASE_URL}/healthz`, { signal: AbortSignal.timeout(2_000) })
    return response.status === 200
  } catch {
    return false
  }
}

export async function waitUntilHealthy(service) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (service.hasExited()) throw new Error('the service exited during startup')
    if (await isHealthy()) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`/healthz did not answer 200 within ${STARTUP_TIMEOUT_MS / 1000} s`)
}
