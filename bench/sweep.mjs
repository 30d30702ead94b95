// The sweep phase of `npm run bench` (see run.mjs): seeds a backlog of abandoned anonymous users
// straight into the local D1 database, then fires the cron handler (`wrangler dev --test-scheduled`
// answers `GET /__scheduled` once the handler has finished) until a run reports `complete`.
//
// Seeding and the final counts go through `wrangler d1 execute --local --persist-to <state>`
// (bench/d1.mjs), a second workerd that opens the same SQLite file as the running service: its
// writes are visible to the service at once, and the service's to it. It only ever runs while no
// request is in flight, so the two never write at the same time.
import { d1Execute } from './d1.mjs'

const DAY_MS = 86_400_000
const CRON = '*/15 * * * *'
/** The cron handler's runs: the budget is 20 s each, so a run that takes 2 min has hung. */
const RUN_TIMEOUT_MS = 120_000
/**
 * Ids of seeded rows: `anon_bs000…1`, like the sweep test's `anon_aa…` (test/jobs/sweep.test.ts).
 * No real id starts so: the first character after `anon_` holds 3 bits (0-7, src/platform/ids.ts).
 */
const PREFIX = 'bs'
/** The tables the seed fills, with the column naming the seeded user. */
const SEEDED_TABLES = {
  users: 'id',
  documents: 'user_id',
  preferences: 'user_id',
  sessions: 'user_id',
  audit_events: 'user_id',
}

/**
 * Seeds `users` abandoned anonymous users, then fires the cron until a run is complete, within
 * `maxRuns` runs and `maxMs`. A clearing run first sweeps what the HTTP scenarios left behind
 * (revoked sessions, used magic links), so that the measured runs delete only the seed.
 */
export async function measureSweep({ root, stateDir, baseUrl, adminToken, users, maxRuns, maxMs }) {
  const phaseStart = performance.now()
  const d1 = (sql) => d1Execute(root, stateDir, sql)
  const cron = (label) => triggerCron(baseUrl, adminToken, label)

  const clearing = await cronUntilComplete(cron, { maxRuns: 5, maxMs: 60_000, label: 'clearing' })
  if (!clearing.complete) throw new Error('the clearing run did not complete within 5 runs')

  const seedStart = performance.now()
  await d1(seedStatements(users, Date.now() - 40 * DAY_MS).join(';\n'))
  const seedMs = performance.now() - seedStart
  const before = await countSeeded(d1)
  for (const [table, n] of Object.entries(before.rows)) {
    if (n !== users) throw new Error(`seeding left ${n} rows in ${table}, expected ${users}`)
  }

  const start = performance.now()
  const measured = await cronUntilComplete(cron, { maxRuns, maxMs, label: 'sweep' })
  const wallMs = performance.now() - start
  const after = await countSeeded(d1)

  const runs = measured.runs
  const counts = sumCounts(runs)
  const countsTotal = Object.values(counts).reduce((a, b) => a + b, 0)
  const rowsBefore = sum(Object.values(before.rows))
  const rowsDeleted = rowsBefore - sum(Object.values(after.rows))
  const usersSwept = counts.anonymousUsers ?? 0
  return {
    users,
    seededRows: rowsBefore,
    seedMs,
    complete: measured.complete,
    stoppedBy: measured.stoppedBy,
    runs,
    wallMs,
    sweepMs: sum(runs.map((r) => r.durationMs)),
    counts,
    countsTotal,
    rowsDeleted,
    rowsLeft: after.rows,
    rowsPerSecond: rowsDeleted / (wallMs / 1000),
    usersPerSecond: usersSwept / (wallMs / 1000),
    countsPerSecond: countsTotal / (wallMs / 1000),
    // Cross-check: the service's own record of the measured runs, read from D1.
    sweepRunsRecorded: after.sweepRuns - before.sweepRuns,
    clearingRuns: clearing.runs,
    // Everything: clearing run, seed, checks and the measured runs.
    phaseMs: performance.now() - phaseStart,
  }
}

/** The sweep test's seed, one recursive-CTE statement per table, with `at` as a literal. */
export function seedStatements(count, at) {
  const ids = `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count})`
  const id = (kind) => `'${kind}_' || '${PREFIX}' || printf('%024d', i)`
  return [
    `${ids} insert into users (id, is_anonymous, role, created_at, last_seen_at) select ${id('anon')}, 1, 'user', ${at}, ${at} from n`,
    `${ids} insert into documents (id, user_id, title, content, created_at, updated_at) select ${id('doc')}, ${id('anon')}, 't', 'c', ${at}, ${at} from n`,
    `${ids} insert into preferences (user_id, data, updated_at) select ${id('anon')}, '{"theme":"dark"}', ${at} from n`,
    `${ids} insert into sessions (id, user_id, created_at, last_seen_at, expires_at, absolute_expires_at) select ${id('sess')}, ${id('anon')}, ${at}, ${at}, ${at} + 1000, ${at} + 1000 from n`,
    `${ids} insert into audit_events (user_id, type, at, detail) select ${id('anon')}, 'session.created', ${at}, '{}' from n`,
  ]
}

async function countSeeded(d1) {
  const columns = Object.entries(SEEDED_TABLES).map(
    ([table, column]) =>
      `(select count(*) from ${table} where ${column} like 'anon_${PREFIX}%') as ${table}`,
  )
  const [row] = await d1(
    `select ${columns.join(', ')}, (select count(*) from sweep_runs) as sweep_runs`,
  )
  const { sweep_runs: sweepRuns, ...rows } = row
  return { rows, sweepRuns }
}

/** Fires the cron until a run reports `complete`, or `maxRuns` runs or `maxMs` have gone by. */
async function cronUntilComplete(cron, { maxRuns, maxMs, label }) {
  const deadline = performance.now() + maxMs
  const runs = []
  for (;;) {
    if (runs.length >= maxRuns) return { complete: false, stoppedBy: `${maxRuns} runs`, runs }
    if (performance.now() >= deadline) {
      return { complete: false, stoppedBy: `${maxMs / 1000} s`, runs }
    }
    const run = await cron(`${label} run ${runs.length + 1}`)
    runs.push(run)
    const { anonymousUsers = 0, sessionObjects, ...rest } = run.counts
    const other = sum(Object.values(rest))
    console.log(
      `  ${label} run ${runs.length}: ${run.durationMs} ms in the sweep, ${Math.round(run.wallMs)} ms ` +
        `wall, ${anonymousUsers} users, ${other} other rows${run.complete ? ', complete' : ''}`,
    )
    if (run.complete) return { complete: true, stoppedBy: null, runs }
  }
}

/**
 * One cron run through `/__scheduled`, which answers once the handler has returned; its result is
 * the newest `sweep_runs` row, read through the admin metrics (`lastSweep`).
 */
async function triggerCron(baseUrl, adminToken, label) {
  const previous = await lastSweep(baseUrl, adminToken)
  const start = performance.now()
  const response = await fetch(`${baseUrl}/__scheduled?cron=${encodeURIComponent(CRON)}`, {
    signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
  })
  const body = await response.text()
  const wallMs = performance.now() - start
  if (response.status !== 200) {
    throw new Error(`${label}: /__scheduled answered ${response.status}: ${body.slice(0, 500)}`)
  }
  const last = await lastSweep(baseUrl, adminToken)
  if (!last || (previous && last.at === previous.at && sameCounts(last, previous))) {
    throw new Error(`${label}: the cron handler answered but recorded no sweep run`)
  }
  return {
    at: last.at,
    durationMs: last.durationMs,
    wallMs,
    complete: last.complete,
    counts: last.counts,
  }
}

const sameCounts = (a, b) => JSON.stringify(a.counts) === JSON.stringify(b.counts)

async function lastSweep(baseUrl, adminToken) {
  const response = await fetch(`${baseUrl}/v1/admin/metrics`, {
    headers: { Authorization: `Bearer ${adminToken}` },
    signal: AbortSignal.timeout(30_000),
  })
  if (response.status !== 200) {
    throw new Error(`/v1/admin/metrics answered ${response.status}: ${await response.text()}`)
  }
  return (await response.json()).lastSweep
}

function sumCounts(runs) {
  const total = {}
  for (const run of runs) {
    for (const [name, n] of Object.entries(run.counts)) total[name] = (total[name] ?? 0) + n
  }
  return total
}

const sum = (values) => values.reduce((a, b) => a + b, 0)

/** The sweep section of the printed report. */
export function printSweep(sweep) {
  const n = (value) => Math.round(value).toLocaleString('en-US')
  const s = (ms) => (ms / 1000).toFixed(1)
  console.log(
    `\nSweep: ${n(sweep.users)} abandoned anonymous users, ${n(sweep.seededRows)} rows ` +
      `(users, documents, preferences, sessions, audit_events), seeded in ${s(sweep.seedMs)} s`,
  )
  const header = ['run', 'sweep ms', 'wall ms', 'users', 'session objects', 'other', 'complete']
  const rows = sweep.runs.map((run, i) => {
    const { anonymousUsers = 0, sessionObjects = 0, ...rest } = run.counts
    return [
      String(i + 1),
      String(run.durationMs),
      String(Math.round(run.wallMs)),
      String(anonymousUsers),
      String(sessionObjects),
      String(sum(Object.values(rest))),
      run.complete ? 'yes' : 'no',
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((cells) => cells[i].length)))
  const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const cells of rows) console.log(line(cells))

  const outcome = sweep.complete
    ? `complete after ${sweep.runs.length} cron run${sweep.runs.length === 1 ? '' : 's'}`
    : `INCOMPLETE: stopped after ${sweep.stoppedBy} (${sweep.runs.length} runs)`
  console.log(`\n  ${outcome}, ${s(sweep.wallMs)} s wall (${s(sweep.sweepMs)} s inside the sweep)`)
  console.log(`  whole phase (clearing run, seed, checks, runs): ${s(sweep.phaseMs)} s`)
  const named = Object.entries(sweep.counts)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${n(v)}`)
  console.log(`  sweep counts, summed:   ${n(sweep.countsTotal)} (${named.join(', ') || 'none'})`)
  const left = sum(Object.values(sweep.rowsLeft))
  console.log(
    `  D1 rows deleted:        ${n(sweep.rowsDeleted)} of ${n(sweep.seededRows)} seeded` +
      (left ? ` (${n(left)} left: ${JSON.stringify(sweep.rowsLeft)})` : ''),
  )
  console.log(
    `  per second of wall:     ${n(sweep.rowsPerSecond)} rows, ` +
      `${n(sweep.usersPerSecond)} users, ${n(sweep.countsPerSecond)} counts`,
  )
  if (sweep.sweepRunsRecorded !== sweep.runs.length) {
    console.log(
      `  note: sweep_runs gained ${sweep.sweepRunsRecorded} rows for ${sweep.runs.length} runs fired`,
    )
  }
}
