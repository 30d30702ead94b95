// D1 index writes per active session-hour, counted in D1 itself: runs the workerd test
// test/session/index-writes.test.ts (triggers on the sessions and users tables count every
// UPDATE) with 100 sessions refreshing every five minutes for a simulated hour (the test
// advances the clock), and reads the totals the test prints. The test itself fails if any
// session's row is written more than once. Also runnable alone: `node bench/index-writes.mjs`.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export const INDEX_WRITE_SESSIONS = 100
const TEST_FILE = 'test/session/index-writes.test.ts'
const TEST_NAME = 'costs at most one index write per session'

export function countIndexWrites(root, sessions = INDEX_WRITE_SESSIONS) {
  return new Promise((resolve, reject) => {
    execFile(
      'npx',
      ['vitest', 'run', TEST_FILE, '-t', TEST_NAME],
      {
        cwd: root,
        env: { ...process.env, INDEX_WRITES_SESSIONS: String(sessions), NO_COLOR: '1' },
        timeout: 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const output = `${stdout}\n${stderr}`
        const line = output.match(/INDEX_WRITES (\{.*\})/)
        if (error || !line) reject(new Error(`${TEST_FILE} failed: ${output.slice(-1500)}`))
        else resolve(JSON.parse(line[1]))
      },
    )
  })
}

export function printIndexWrites(counted) {
  if (!counted) return
  if (counted.error) {
    console.log(`\nIndex writes: not counted (${counted.error.split('\n')[0]})`)
    return
  }
  const perSession = (n) => (n / counted.sessions).toFixed(2)
  console.log(
    `\nIndex writes (${counted.sessions} sessions, ${counted.refreshesEach} refreshes each over a ` +
      `simulated hour, counted by D1 triggers): ${counted.sessionRowWrites} sessions-row and ` +
      `${counted.userRowWrites} users-row writes, ${perSession(counted.sessionRowWrites)} + ` +
      `${perSession(counted.userRowWrites)} per session-hour, at most ` +
      `${counted.mostForOneSession} for one session (goal <= 1 ` +
      `${counted.mostForOneSession <= 1 ? 'MET' : 'MISSED'}; with the former 1-minute lag: ` +
      `${counted.refreshesEach} + ${counted.refreshesEach})`,
  )
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  printIndexWrites(await countIndexWrites(join(import.meta.dirname, '..')))
}
