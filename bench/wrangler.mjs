// `npx wrangler …` as the bench's phases run it (bundle, start-up, the floor's database): no
// metrics, no colour, non-interactive. Resolves with stdout and stderr together; rejects with the
// command and the output's last lines.
import { execFile } from 'node:child_process'

export const WRANGLER_ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CI: 'true',
  NO_COLOR: '1',
}

export function runWrangler(args, { cwd, timeoutMs }) {
  return new Promise((resolve, reject) => {
    execFile(
      'npx',
      ['wrangler', ...args],
      { cwd, env: WRANGLER_ENV, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const output = `${stdout}\n${stderr}`
        if (!error) return resolve(output)
        const tail = output.trim().split('\n').slice(-15).join('\n')
        reject(new Error(`wrangler ${args.slice(0, 2).join(' ')} failed: ${tail}`))
      },
    )
  })
}
