// SQL on the bench's local D1 through `wrangler d1 execute --local --persist-to <state>`: a second
// workerd that opens the same SQLite file as the running service (see sweep.mjs for why that is
// safe while no request is in flight). Shared by the sweep phase and the scale mode.
import { execFile } from 'node:child_process'

/**
 * Runs SQL (one or more statements separated by `;`) on the local D1 of `stateDir`; resolves to
 * wrangler's JSON: one `{ results, success, meta: { duration } }` per statement, `duration` being
 * whole milliseconds spent in that statement inside the local D1.
 */
export function d1Statements(root, stateDir, sql) {
  const args = ['wrangler', 'd1', 'execute', 'DB', '--local', '--persist-to', stateDir]
  return new Promise((resolve, reject) => {
    execFile(
      'npx',
      [...args, '--json', '--command', sql],
      {
        cwd: root,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
        timeout: 180_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n')
          reject(
            new Error(`wrangler d1 execute failed (${error.message.split('\n')[0]}):\n${output}`),
          )
          return
        }
        try {
          resolve(JSON.parse(stdout))
        } catch {
          reject(new Error(`wrangler d1 execute printed no JSON:\n${stdout.slice(0, 1000)}`))
        }
      },
    )
  })
}

/** Like `d1Statements`, but resolves to the rows of the last statement only. */
export async function d1Execute(root, stateDir, sql) {
  const statements = await d1Statements(root, stateDir, sql)
  return statements.at(-1)?.results ?? []
}
