// Runs the admin CLI (cli/edge-session.mjs) as a user would, in a child Node process from the
// project root, and collects what it prints. Plain JavaScript for the same reason as harness.mjs.
import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

export function runCli(args, { env = {} } = {}) {
  const base = { ...process.env }
  delete base.EDGE_SESSION_URL
  delete base.EDGE_SESSION_ADMIN_TOKEN
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['cli/edge-session.mjs', ...args],
      { cwd: ROOT, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        let json = null
        try {
          json = stdout.trim() ? JSON.parse(stdout) : null
        } catch {
          // Not JSON: the test looks at stdout itself.
        }
        resolve({ code, stdout, stderr, json })
      },
    )
  })
}
