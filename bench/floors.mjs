// What the platform costs here by itself (`npm run bench` prints it after the anonymous-first
// phase; `--no-floors` skips it; alone: `node bench/floors.mjs`). A bare Worker (bench/floor/) on
// its own `wrangler dev`, with request logging off, 32 connections and 10 s a run as the
// anonymous-first phase runs, answers: nothing (its /healthz), a write into a Durable Object never
// used before (locally a new SQLite database), a write into a warm object, and one D1 read. Each
// ratio is against that Worker's own /healthz: the ceiling for any design that does this piece
// of work on a path, before any code of the service's runs.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { waitUntilHealthy } from './anonymous.mjs'
import { cannon } from './load.mjs'
import { runWrangler, WRANGLER_ENV } from './wrangler.mjs'

const ROOT = join(import.meta.dirname, '..')
const CONFIG = join(import.meta.dirname, 'floor', 'wrangler.toml')
const RUNS = [
  ['healthz', '/healthz', 'nothing: the ceiling'],
  ['new object', '/object/new', 'a first refresh materialises one'],
  ['warm object write', '/object/write', 'a steady refresh rotates in one'],
  ['D1 read', '/d1/read', 'a refresh reads the kill switch; /v1/me reads its user and session'],
]

export async function measureFloors({ port = 8795, duration = 10, connections = 32 } = {}) {
  const state = mkdtempSync(join(tmpdir(), 'edge-session-floor-'))
  const persist = ['--persist-to', state]
  const base = `http://127.0.0.1:${port}`
  let child
  try {
    await runWrangler(
      [
        'd1',
        'execute',
        'DB',
        '--local',
        '-c',
        CONFIG,
        ...persist,
        '--command',
        "create table control (key text primary key, value text); insert into control values ('k', '1')",
      ],
      { cwd: ROOT, timeoutMs: 60_000 },
    )
    child = spawn(
      'npx',
      [
        'wrangler',
        'dev',
        '-c',
        CONFIG,
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--log-level',
        'warn',
        '--show-interactive-dev-session=false',
        ...persist,
      ],
      { cwd: ROOT, env: WRANGLER_ENV, detached: true, stdio: 'ignore' },
    )
    await waitUntilHealthy(base)
    const results = []
    for (const [name, path, note] of RUNS) {
      const requests = [{ method: 'GET', path }]
      await cannon({ requests, connections, amount: 200 }, 60_000, base)
      const result = await cannon({ requests, connections, duration }, (duration + 15) * 1000, base)
      if (result.non2xx || result.errors) throw new Error(`${path}: failed requests`)
      results.push({ name, path, note, rps: result.requests.average })
    }
    for (const result of results) result.ratio = result.rps / results[0].rps
    return { duration, connections, results }
  } finally {
    if (child) {
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {
        // Already gone.
      }
    }
    rmSync(state, { recursive: true, force: true })
  }
}

export function printFloors(floors) {
  if (!floors) return
  if (floors.error) {
    console.log(`\nPlatform floor: not measured (${floors.error.split('\n')[0]})`)
    return
  }
  console.log(
    `\nPlatform floor (a bare Worker, bench/floor/; ${floors.connections} connections, ` +
      `${floors.duration} s a run; ratios against its own /healthz):`,
  )
  for (const r of floors.results)
    console.log(
      `  ${r.name.padEnd(18)} ${r.rps.toFixed(1).padStart(8)} req/s  ${r.ratio.toFixed(2)}  ${r.note}`,
    )
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) printFloors(await measureFloors())
