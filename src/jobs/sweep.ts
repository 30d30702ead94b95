/**
 * The sweep: deletes what has expired, in bounded batches and within a time budget, so a huge
 * backlog is worked off over several runs instead of one failing run. Run by the cron trigger and
 * by `POST /v1/admin/sweep`; idempotent (a second run right after deletes nothing); one
 * `sweep_runs` row per run. Accounts are never swept; nor is an anonymous user with a live session.
 * First it sends the session events a request left in the outbox (services/session-events.ts);
 * last, it re-seals values still under a previous master key (jobs/reseal.ts).
 */
import { and, desc, eq, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import {
  auditEvents,
  loginAttempts,
  magicLinks,
  merges,
  oauthRecords,
  outbox,
  sessions,
  sweepRuns,
  users,
} from '../platform/db/schema'
import { SESSION_INDEX_LAG_MS } from '../session'
import { IDS_PER_STATEMENT, eraseUsers } from '../identity'
import { redeliverEvents } from '../events'
import { resealValues } from './reseal'
import { retireExpiredKeys, rotateIfDue } from '../platform/tokens/signing-key-rotation'
import type { Runtime } from '../platform/runtime'

const DAY_MS = 86_400_000
export const TOMBSTONE_RETENTION_MS = 30 * DAY_MS
export const AUDIT_RETENTION_MS = 90 * DAY_MS
/** Dev mail and failure counters only need to outlive their links and back-off. */
export const SHORT_RETENTION_MS = DAY_MS
/** Values re-sealed per read and batch write: one AES-GCM open and seal each, 3 parameters a row. */
export const RESEAL_BATCH = 100

export interface SweepOptions {
  trigger: 'cron' | 'admin'
  /** Wall-clock budget for one run; what is left waits for the next run. */
  budgetMs?: number
  /** Rows per delete statement (users per erasure batch are capped at `IDS_PER_STATEMENT`). */
  batchSize?: number
}

export type SweepCounts = Record<string, number>

/** Whether the run's budget is spent, keeping `reserveMs` back for the next step. */
type OverBudget = (reserveMs?: number) => boolean

export interface SweepResult {
  counts: SweepCounts
  durationMs: number
  /** False when the budget ran out with work left. */
  complete: boolean
}

export async function runSweep(rt: Runtime, options: SweepOptions): Promise<SweepResult> {
  const { budgetMs = 20_000, batchSize = 500 } = options
  const started = performance.now()
  const startedAt = Date.now()
  const now = startedAt
  // `reserveMs`: the slowest step of its kind so far. A step that would end past the budget is
  // not started, so a run ends within its budget instead of overrunning it by its last step.
  const overBudget = (reserveMs = 0) => performance.now() - started + reserveMs > budgetMs
  const counts: SweepCounts = {}
  const add = (name: string, n: number) => {
    counts[name] = (counts[name] ?? 0) + n
  }

  // Keys first: cheap, and must not wait behind a backlog.
  add('keysRotated', (await rotateIfDue(rt, now)) ? 1 : 0)
  add('keysRetired', await retireExpiredKeys(rt, now))

  // Events a request committed but could not publish: other Workers are waiting for them.
  const events = await redeliverEvents(rt.db, rt.events, now, overBudget)
  add('eventsDelivered', events.delivered)

  let complete = events.done && (await sweepAbandonedUsers(rt, now, overBudget, add))
  const deletions: Array<[string, SQLiteTable, SQL | undefined | (() => Promise<SQL>)]> = [
    // An expired row's object has expired too (the row trails it by SESSION_INDEX_LAG_MS at most),
    // and a revoked row's object was revoked first: no live object loses its row.
    [
      'sessions',
      sessions,
      or(isNotNull(sessions.revokedAt), lte(sessions.expiresAt, now - SESSION_INDEX_LAG_MS)),
    ],
    [
      'magicLinks',
      magicLinks,
      or(isNotNull(magicLinks.consumedAt), lte(magicLinks.expiresAt, now)),
    ],
    [
      'tombstones',
      users,
      and(isNotNull(users.mergedInto), lt(users.mergedAt, now - TOMBSTONE_RETENTION_MS)),
    ],
    ['mergeRecords', merges, lt(merges.createdAt, now - TOMBSTONE_RETENTION_MS)],
    ['auditEvents', auditEvents, lt(auditEvents.at, now - AUDIT_RETENTION_MS)],
    ['auditEventsOverQuota', auditEvents, () => eventsOverQuota(rt)],
    ['outbox', outbox, lt(outbox.sentAt, now - SHORT_RETENTION_MS)],
    [
      'loginAttempts',
      loginAttempts,
      and(
        lt(loginAttempts.lastFailedAt, now - SHORT_RETENTION_MS),
        lt(loginAttempts.lockedUntil, now),
      ),
    ],
    ['sweepRuns', sweepRuns, lt(sweepRuns.startedAt, now - AUDIT_RETENTION_MS)],
  ]
  for (const [name, table, condition] of deletions) {
    if (!complete) break
    const where = typeof condition === 'function' ? await condition() : condition
    complete = await deleteInBatches(rt, table, where, batchSize, overBudget, (n) => add(name, n))
  }
  if (complete) add('verifiers', await expireVerifiers(rt, now))
  // After the deletions, so nothing about to be deleted is re-sealed first.
  if (complete) complete = await resealValues(rt, { batchSize: RESEAL_BATCH, overBudget, add })

  const durationMs = Math.round(performance.now() - started)
  await rt.db
    .insert(sweepRuns)
    .values({ trigger: options.trigger, startedAt, durationMs, counts, complete })
  return { counts, durationMs, complete }
}

/**
 * Anonymous users not seen within ANON_USER_TTL, with no live session, never merged: erased with
 * every row they own and their session objects. Returns false if the budget ran out.
 */
async function sweepAbandonedUsers(
  rt: Runtime,
  now: number,
  overBudget: OverBudget,
  add: (name: string, n: number) => void,
) {
  const cutoff = now - rt.settings.ANON_USER_TTL * 1000
  // Activity is `users.last_seen_at` (the once-a-minute session touch keeps it current), not
  // session rows: the sweep deletes expired session rows itself.
  const live = rt.db
    .select({ one: sql`1` })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, users.id),
        isNull(sessions.revokedAt),
        sql`${sessions.expiresAt} > ${now - SESSION_INDEX_LAG_MS}`,
      ),
    )
  let slowest = 0
  for (;;) {
    if (overBudget(slowest)) return false
    const began = performance.now()
    const batch = await rt.db
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          eq(users.isAnonymous, true),
          isNull(users.mergedInto),
          lt(users.lastSeenAt, cutoff),
          sql`not exists ${live}`,
        ),
      )
      .limit(IDS_PER_STATEMENT)
    if (batch.length === 0) return true
    // Only objects that may be live are woken: these users have none (see `live` above), so an
    // abandoned user costs D1 statements only. Their expired objects emptied themselves by alarm.
    const erased = await eraseUsers(
      rt,
      batch.map((row) => row.id),
      { objects: 'maybe-live', now },
    )
    add('anonymousUsers', erased.users)
    add('sessionObjects', erased.sessions)
    slowest = Math.max(slowest, performance.now() - began)
  }
}

/** Deletes matching rows `batchSize` at a time by rowid, one bound parameter per statement. */
async function deleteInBatches(
  rt: Runtime,
  table: SQLiteTable,
  where: SQL | undefined,
  batchSize: number,
  overBudget: OverBudget,
  count: (n: number) => void,
): Promise<boolean> {
  let slowest = 0
  for (;;) {
    if (overBudget(slowest)) return false
    const began = performance.now()
    const result = await rt.db.run(
      sql`delete from ${table} where rowid in (select rowid from ${table} where ${where} limit ${batchSize})`,
    )
    const deleted = result.meta.changes ?? 0
    count(deleted)
    slowest = Math.max(slowest, performance.now() - began)
    if (deleted < batchSize) return true
  }
}

/**
 * The events quota (QUOTA_EVENTS, QUOTA_EVENTS_ANON): each user keeps their newest events up to
 * their limit. Only users with events since the last run can have passed it, so only their trails
 * are counted; the first run counts everyone's.
 */
async function eventsOverQuota(rt: Runtime): Promise<SQL> {
  const last = await rt.db
    .select({ startedAt: sweepRuns.startedAt })
    .from(sweepRuns)
    .orderBy(desc(sweepRuns.startedAt))
    .limit(1)
    .get()
  // A minute's overlap: an event written while the last run was starting is not missed.
  const since = last ? last.startedAt - 60_000 : 0
  const { QUOTA_EVENTS: account, QUOTA_EVENTS_ANON: anonymous } = rt.settings
  return sql`${auditEvents.id} in (
    select id from (
      select e.id, e.user_id, row_number() over (partition by e.user_id order by e.at desc, e.id desc) as n
      from ${auditEvents} e
      where e.user_id in (select distinct user_id from ${auditEvents} where at > ${since} and user_id is not null)
    ) where n > case when substr(user_id, 1, 5) = 'anon_' then ${anonymous} else ${account} end
  )`
}

/** PKCE verifiers live ten minutes; clear the expired ones (their row may still hold tokens). */
async function expireVerifiers(rt: Runtime, now: number): Promise<number> {
  const result = await rt.db
    .update(oauthRecords)
    .set({ verifierSealed: null, verifierExpiresAt: null })
    .where(lte(oauthRecords.verifierExpiresAt, now))
  return result.meta.changes ?? 0
}
