// Node-side harness of the browser tests: starts the service as the bench does (`scripts/start.mjs`
// on a spare loopback port, its state in a fresh directory), stops its whole process group, and
// the few file-system chores the tests need. Plain JavaScript because the project's type check
// runs with the Workers types, not Node's; harness.d.mts declares what it exports.
import { execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const run = promisify(execFile)
const OUTPUT_DIR = join(ROOT, 'test', 'output')
const STARTUP_TIMEOUT_MS = 120_000
const STOP_GRACE_MS = 10_000

/** A port nothing listens on right now (the kernel's pick). */
async function sparePort() {
  const server = createServer()
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

export async function createTempDir(prefix) {
  return mkdtemp(join(tmpdir(), prefix))
}

export async function removeDir(path) {
  await rm(path, { recursive: true, force: true })
}

/** An absolute path in test/output/ (git-ignored), the directory created if need be. */
export async function outputPath(name) {
  await mkdir(OUTPUT_DIR, { recursive: true })
  return join(OUTPUT_DIR, name)
}

/** Every file below `dir` whose bytes contain `needle` (a service's local state, say). */
export async function filesContaining(dir, needle) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const found = []
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    if ((await readFile(path)).includes(needle)) found.push(path)
  }
  return found
}

export function writeTextFile(path, text) {
  return writeFile(path, text)
}

export function readProjectFile(relativePath) {
  return readFile(join(ROOT, relativePath), 'utf8')
}

/**
 * Starts `wrangler dev` through scripts/start.mjs with `extraArgs`, waits until /healthz answers,
 * and returns its base URL and a `stop()` that ends the process group and removes its state.
 */
export async function startService({ extraArgs = [] } = {}) {
  const port = await sparePort()
  const stateDir = await createTempDir('edge-session-browser-state-')
  return launch({
    command: [process.execPath, 'scripts/start.mjs', '--log-level', 'warn', ...extraArgs],
    env: { PORT: String(port), PERSIST_TO: stateDir },
    port,
    stateDir,
    readyPath: '/healthz',
    logName: 'browser-server.log',
  })
}

/**
 * Starts the example consumer Worker and the service in ONE `wrangler dev` (`-c consumer -c
 * service`, as the README runs them), the service as wrangler environment `test` so it reads the
 * committed `.dev.vars.test` and never a developer's `.dev.vars`. The consumer config must bind
 * the service by that environment's name, `edge-session-test`. D1's migrations are applied to a
 * fresh state directory first. Resolves once the consumer answers `readyPath` with 200.
 */
export async function startConsumerWithService({ consumerConfig, readyPath }) {
  const port = await sparePort()
  const stateDir = await createTempDir('edge-session-consumer-state-')
  const env = { ...process.env, ...WRANGLER_ENV }
  const migrate = ['d1', 'migrations', 'apply', 'DB', '--local', '-e', 'test']
  await run('npx', ['wrangler', ...migrate, '--persist-to', stateDir], { cwd: ROOT, env })
  return launch({
    command: [
      'npx',
      'wrangler',
      'dev',
      '-c',
      consumerConfig,
      '-c',
      join(ROOT, 'wrangler.toml'),
      '-e',
      'test',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      stateDir,
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
    ],
    env: {},
    port,
    stateDir,
    readyPath,
    logName: 'consumer-server.log',
  })
}

// As scripts/start.mjs: no metrics, no prompts, no fetch of request.cf data (offline here).
const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CI: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
}

/** Spawns `command` in its own process group and waits until `readyPath` answers 200. */
async function launch({ command, env, port, stateDir, readyPath, logName }) {
  const baseUrl = `http://127.0.0.1:${port}`
  const logPath = await outputPath(logName)
  const log = await open(logPath, 'w')
  const [file, ...args] = command
  const child = spawn(file, args, {
    cwd: ROOT,
    // Its own process group, so that stop() reaches npx, wrangler and workerd alike.
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env: { ...process.env, ...WRANGLER_ENV, ...env },
  })
  await log.close()
  let exited = false
  const exit = new Promise((resolve) => child.once('exit', resolve)).then(() => {
    exited = true
  })
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal)
    } catch {
      // The group is already gone.
    }
  }
  const killNow = () => signalGroup('SIGKILL')
  // The last resort if the test process ends without reaching afterAll.
  process.once('exit', killNow)

  let stopped = false
  async function stop() {
    if (stopped) return
    stopped = true
    signalGroup('SIGTERM')
    const timer = setTimeout(killNow, STOP_GRACE_MS)
    await exit
    clearTimeout(timer)
    // workerd may outlive its parents for a moment; it is in the same group.
    killNow()
    process.removeListener('exit', killNow)
    await removeDir(stateDir)
  }

  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  for (;;) {
    if (exited) {
      await stop()
      throw new Error(`The service exited during startup:\n${await logTail(logPath)}`)
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(
        `${readyPath} did not answer within ${STARTUP_TIMEOUT_MS / 1000} s:\n${await logTail(logPath)}`,
      )
    }
    const healthy = await fetch(`${baseUrl}${readyPath}`, {
      signal: AbortSignal.timeout(2_000),
    }).then(
      (res) => res.status === 200,
      () => false,
    )
    if (healthy) return { baseUrl, stateDir, stop }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

async function logTail(path) {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text.split('\n').slice(-30).join('\n')
}

/**
 * An account made as a person makes one, over token transport: an anonymous session (unless
 * `refreshToken` names one), registration, the confirmation's token from the dev outbox, and the
 * confirmation from that same session. Resolves to the confirmation's sign-in answer.
 */
export async function registerAccount(baseUrl, { email, password, refreshToken }) {
  const post = async (path, body, status) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Session-Transport': 'token' },
      body: JSON.stringify(body),
    })
    if (res.status !== status)
      throw new Error(`${path} answered ${res.status}, not ${status}: ${await res.text()}`)
    return res.json()
  }
  const from = refreshToken ?? (await post('/v1/sessions/anonymous', {}, 201)).tokens.refreshToken
  await post('/v1/auth/register', { email, password, refreshToken: from }, 202)
  const outbox = await fetch(`${baseUrl}/v1/dev/outbox?to=${encodeURIComponent(email)}`)
  if (outbox.status !== 200) throw new Error(`the dev outbox answered ${outbox.status}`)
  const [confirmation] = (await outbox.json()).messages
  return post('/v1/auth/register/confirm', { token: confirmation.token, refreshToken: from }, 200)
}
