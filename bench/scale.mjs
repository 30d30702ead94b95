// The scale mode of `npm run bench -- --scale` (see run.mjs): before the HTTP scenarios, the local
// D1 gets `accounts` password accounts and `anonymous` recently active anonymous users, seeded
// with recursive-CTE inserts through `wrangler d1 execute` like the sweep phase's backlog.
//
// Every seeded account has the same stored hash: the one the service itself stored when the bench
// registered an account with SCALE_PASSWORD through it (phases.mjs reads it back from the local
// D1), so a login to any seeded email succeeds and still pays the full derivation, with whatever
// parameters src/identity/credentials/passwords.ts uses today: the bench keeps no copy of them to fall out of step.
// The anonymous users were created and last seen within the last day and have no session row: the
// sweep must keep them (its cutoff is ANON_USER_TTL, 30 days, on `created_at`), which the bench
// checks by counting them before and after the sweep phase (phases.mjs).
//
// The email lookup (`select * from users where email = ?`, src/identity/account-queries.ts) has no route of its
// own: login adds a PBKDF2 derivation (and, with a wrong password, back-off rows and an audit
// event), and `POST /v1/auth/magic-link` looks nothing up at all (it inserts a link and a mail).
// So it is measured in D1 itself: EXPLAIN QUERY PLAN shows which index answers it, and one
// statement that looks up many seeded emails (in a scattered order) is timed by D1's own
// per-statement `meta.duration`, less a statement that builds the same keys without looking them
// up. A few lookups with `NOT INDEXED` show what the index saves.
import { d1Statements } from './d1.mjs'
import { median } from './stats.mjs'

const DAY_MS = 86_400_000
/** Seeded ids: `usr_sc…` and `anon_sn…` (no real id starts so: src/platform/ids.ts, and see sweep.mjs). */
const ACCOUNT_PREFIX = 'sc'
const ANONYMOUS_PREFIX = 'sn'
/** Lookups per timed statement, and how often each statement is timed (the median is kept). */
const LOOKUPS = 100_000
const UNINDEXED_LOOKUPS = 40
const REPEATS = 3
/** A prime: `(i * STRIDE) % accounts` visits every account once, in a scattered order. */
const STRIDE = 7919

/** The password of every seeded account. Not a secret: bench data in a throwaway local database. */
export const SCALE_PASSWORD = 'bench-scale-password-1'

/** The email of seeded account `i` (1-based); the SQL below builds the same string. */
export function scaleEmail(i) {
  return `bench-scale-${String(i).padStart(5, '0')}@example.com`
}
const emailSql = (i) => `'bench-scale-' || printf('%05d', ${i}) || '@example.com'`

/** Seeds the accounts and anonymous users, then counts them; throws unless every row is there. */
export async function seedScale({ root, stateDir, accounts, anonymous, passwordHash }) {
  if (!/^[A-Za-z0-9$_-]+$/.test(passwordHash)) throw new Error('unexpected password hash format')
  const now = Date.now()
  const cte = (count) =>
    `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count})`
  const statements = [
    // Accounts: a year old, last seen within the last month, every one with the same valid hash
    // and a proven mailbox (a magic-link sign-in to an unproven email drops its password: the
    // pre-account-hijacking rule, so unverified seeds would not survive the magic-link scenario).
    `${cte(accounts)} insert into users (id, email, password_hash, is_anonymous, role, created_at, last_seen_at, email_verified_at) ` +
      `select 'usr_${ACCOUNT_PREFIX}' || printf('%024d', i), ${emailSql('i')}, '${passwordHash}', 0, 'user', ` +
      `${now - 365 * DAY_MS} + i * 1000, ${now} - (i % 30) * ${DAY_MS}, ${now - 365 * DAY_MS} from n`,
    // Anonymous users created and last seen within the last day; no session rows.
    `${cte(anonymous)} insert into users (id, is_anonymous, role, created_at, last_seen_at) ` +
      `select 'anon_${ANONYMOUS_PREFIX}' || printf('%024d', i), 1, 'user', ` +
      `${now} - (i * ${DAY_MS / 2}) / ${anonymous}, ${now} - (i * ${DAY_MS / 4}) / ${anonymous} from n`,
  ]
  const start = performance.now()
  const result = await d1Statements(root, stateDir, statements.join(';\n'))
  const seedMs = performance.now() - start
  const counts = await countScale(root, stateDir)
  if (counts.accounts !== accounts || counts.anonymous !== anonymous) {
    throw new Error(
      `seeding left ${counts.accounts} accounts and ${counts.anonymous} anonymous users, ` +
        `expected ${accounts} and ${anonymous}`,
    )
  }
  return {
    accounts,
    anonymous,
    seedMs,
    // D1's own time for each insert, without wrangler's start-up.
    insertMs: result.slice(-2).map((r) => r.meta?.duration ?? null),
    counts,
  }
}

/** The seeded rows as they stand: accounts, and anonymous users the sweep could still take. */
export async function countScale(root, stateDir) {
  const [last] = (
    await d1Statements(
      root,
      stateDir,
      `select (select count(*) from users where id like 'usr_${ACCOUNT_PREFIX}%' and email is not null and password_hash is not null) as accounts, ` +
        `(select count(*) from users where id like 'anon_${ANONYMOUS_PREFIX}%' and is_anonymous = 1 and merged_into is null) as anonymous`,
    )
  ).slice(-1)
  return last.results[0]
}

/** The indexed email lookup, measured in D1: query plans, timed batches, an unindexed contrast. */
export async function measureEmailLookup({ root, stateDir, accounts }) {
  const cte = (count) =>
    `with recursive n(i) as (select 0 union all select i + 1 from n where i < ${count - 1})`
  const key = emailSql(`(i * ${STRIDE}) % ${accounts} + 1`)
  // `cross join` keeps n as the outer loop, so each of its rows is one lookup in users; reading
  // password_hash and role makes each lookup read the table row too, as `select *` does.
  const lookup = (count, hint = '') =>
    `${cte(count)} select count(*) as found, sum(length(u.password_hash) + length(u.role)) as bytes ` +
    `from n cross join users u ${hint} where u.email = ${key}`
  const keysOnly = `${cte(LOOKUPS)} select count(*) as found, sum(length(${key})) as bytes from n`
  const plan = (sql) => `explain query plan ${sql}`
  const appQuery = `select * from users where email = ${emailSql(1)}`

  const statements = [
    plan(appQuery),
    plan(lookup(LOOKUPS)),
    plan(lookup(UNINDEXED_LOOKUPS, 'not indexed')),
    // Untimed warm-up: the first statement of a connection reads the pages from disk.
    lookup(LOOKUPS),
    ...Array.from({ length: REPEATS }, () => [keysOnly, lookup(LOOKUPS)]).flat(),
    ...Array.from({ length: REPEATS }, () => lookup(UNINDEXED_LOOKUPS, 'not indexed')),
  ]
  const start = performance.now()
  const out = await d1Statements(root, stateDir, statements.join(';\n'))
  const wallMs = performance.now() - start
  if (out.length !== statements.length) {
    throw new Error(`wrangler answered ${out.length} statements of ${statements.length}`)
  }
  const planOf = (i) => out[i].results.map((row) => row.detail)
  const timed = out.slice(4)
  const keys = timed.slice(0, 2 * REPEATS).filter((_, i) => i % 2 === 0)
  const indexed = timed.slice(0, 2 * REPEATS).filter((_, i) => i % 2 === 1)
  const unindexed = timed.slice(2 * REPEATS)
  for (const r of [out[3], ...indexed]) {
    if (r.results[0].found !== LOOKUPS) {
      throw new Error(`the lookup batch found ${r.results[0].found} of ${LOOKUPS} seeded emails`)
    }
  }
  for (const r of unindexed) {
    if (r.results[0].found !== UNINDEXED_LOOKUPS) {
      throw new Error(`the unindexed batch found ${r.results[0].found} of ${UNINDEXED_LOOKUPS}`)
    }
  }
  const ms = (rows) => rows.map((r) => r.meta?.duration ?? NaN)
  const indexedMs = median(ms(indexed))
  const baseMs = median(ms(keys))
  const netMs = indexedMs - baseMs
  const unindexedMs = median(ms(unindexed))
  const indexedPerSecond = LOOKUPS / (indexedMs / 1000)
  const netPerSecond = netMs > 0 ? LOOKUPS / (netMs / 1000) : null
  const unindexedPerSecond = UNINDEXED_LOOKUPS / (unindexedMs / 1000)
  return {
    method:
      'one SQL statement per batch through wrangler d1 execute, timed by D1 meta.duration (whole ms)',
    query: 'select * from users where email = ?',
    plans: {
      appQuery: planOf(0),
      batch: planOf(1),
      unindexedBatch: planOf(2),
    },
    usesEmailIndex: planOf(0).some((d) => /USING (COVERING )?INDEX users_email_unique/.test(d)),
    lookups: LOOKUPS,
    repeats: REPEATS,
    indexedMs: ms(indexed),
    keysOnlyMs: ms(keys),
    netMs,
    indexedPerSecond,
    netPerSecond,
    unindexedLookups: UNINDEXED_LOOKUPS,
    unindexedMs: ms(unindexed),
    unindexedPerSecond,
    indexSpeedup: (netPerSecond ?? indexedPerSecond) / unindexedPerSecond,
    wallMs,
  }
}

const n = (value) => Math.round(value).toLocaleString('en-US')

/** The seed line of the printed report. */
export function printSeed(seed) {
  console.log(
    `Scale: seeded ${n(seed.accounts)} accounts (one shared PBKDF2 hash) and ${n(seed.anonymous)} ` +
      `recent anonymous users in ${(seed.seedMs / 1000).toFixed(1)} s ` +
      `(D1 insert time ${seed.insertMs.map((v) => `${v} ms`).join(' + ')})\n`,
  )
}

/** The email lookup section, with its ratio to the /healthz ceiling (not like for like). */
export function printEmailLookup(lookup, ceiling) {
  console.log(`\nEmail lookup (${lookup.query}), measured in D1, not over HTTP:`)
  console.log(`  plan, app query:      ${lookup.plans.appQuery.join(' / ')}`)
  // The batches' plans also list the key generator (the CTE); only the step on users matters.
  const onUsers = (plan) => plan.filter((d) => / u\b/.test(d)).join(' / ')
  console.log(`  plan, timed batch:    ${onUsers(lookup.plans.batch)} (once per key)`)
  console.log(`  plan, NOT INDEXED:    ${onUsers(lookup.plans.unindexedBatch)} (once per key)`)
  const list = (values) => values.map((v) => `${v}`).join(', ')
  console.log(
    `  ${n(lookup.lookups)} lookups per statement: ${list(lookup.indexedMs)} ms; ` +
      `building the keys alone: ${list(lookup.keysOnlyMs)} ms (medians kept)`,
  )
  const ratio = (rps) =>
    ceiling ? ` = ${(rps / ceiling.rps).toFixed(0)}x the healthz ceiling` : ''
  console.log(
    `  indexed, gross:       ${n(lookup.indexedPerSecond)} lookups/s${ratio(lookup.indexedPerSecond)}`,
  )
  if (lookup.netPerSecond) {
    console.log(
      `  indexed, net of keys: ${n(lookup.netPerSecond)} lookups/s${ratio(lookup.netPerSecond)}`,
    )
  }
  console.log(
    `  NOT INDEXED:          ${n(lookup.unindexedPerSecond)} lookups/s ` +
      `(${n(lookup.unindexedLookups)} per statement: ${list(lookup.unindexedMs)} ms); ` +
      `the index makes a lookup ${n(lookup.indexSpeedup)}x faster`,
  )
  console.log(
    `  (in-SQLite time in the local D1, one core, no Worker-to-D1 round trip: the healthz ratio ` +
      `only says how small a lookup is next to one HTTP request; wall of the batch command ` +
      `${(lookup.wallMs / 1000).toFixed(1)} s)`,
  )
  if (!lookup.usesEmailIndex)
    console.log('  WARNING: the app query does not use users_email_unique')
}
