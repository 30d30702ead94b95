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
export async function sparePort() {
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

/** The port the README's consumer commands serve on; a test replaces it with a spare one. */
export const README_CONSUMER_PORT = '8814'

/**
 * The shell commands of the README's consumer steps (the first `sh` block of its "Examples"
 * section), comments dropped, each as its words, with the README's port replaced by `port`.
 */
export async function readmeConsumerCommands(port) {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('\n## Examples\n'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1]
  if (!block) throw new Error('README.md: no sh block in the Examples section')
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean)
    .map((line) => line.replaceAll(README_CONSUMER_PORT, String(port)).split(/\s+/))
}

/**
 * The README's consumer steps, run as written in `repoDir` (a copy of the repository): every
 * command but the last to completion, then the last (`wrangler dev` with both configs) as the
 * server, on `port`. Resolves once the consumer answers `readyPath` with 200.
 */
export async function startReadmeConsumer({ repoDir, port, readyPath }) {
  const commands = await readmeConsumerCommands(port)
  const env = { ...process.env, ...WRANGLER_ENV }
  for (const [file, ...args] of commands.slice(0, -1)) {
    await run(file, args, { cwd: repoDir, env }).catch((error) => {
      throw new Error(`${[file, ...args].join(' ')} failed:\n${error.stderr || error}`)
    })
  }
  return launch({
    command: commands.at(-1),
    cwd: repoDir,
    env: {},
    port,
    stateDir: join(repoDir, '.wrangler'),
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
async function launch({ command, cwd = ROOT, env, port, stateDir, readyPath, logName }) {
  const baseUrl = `http://127.0.0.1:${port}`
  const logPath = await outputPath(logName)
  const log = await open(logPath, 'w')
  const [file, ...args] = command
  const child = spawn(file, args, {
    cwd,
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
