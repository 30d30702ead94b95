/**
 * The sweep: deletes what has expired, in bounded batches and within a time budget, so a huge
 * backlog is worked off over several runs instead of one failing run. Run by the cron trigger and
 * by `POST /v1/admin/sweep`; idempotent (a second run right after deletes nothing); one
 * `sweep_runs` row per run. What expires is each slice's to say (its `retention.ts`); the sweep
 * only orders the rules and runs them. First it rotates signing keys; last, it re-seals values
 * still under a previous master key (jobs/reseal.ts).
 */
import { desc } from 'drizzle-orm'
import { sweepRuns } from '../platform/db/schema'
import { mailRetention } from '../platform/mail/retention'
import type { RetentionRule, RetentionRun } from '../platform/retention'
import { sessionRetention } from '../session'
import { identityRetention } from '../identity'
import { eventsRetention } from '../events'
import { userDataRetention } from '../user-data'
import { jobsRetention } from './retention'
import { resealValues } from './reseal'
import { retireExpiredKeys, rotateIfDue } from '../platform/tokens/signing-key-rotation'
import type { Db } from '../platform/db/client'
import type { Runtime } from '../platform/runtime'

/** Values re-sealed per read and batch write: one AES-GCM open and seal each, 3 parameters a row. */
export const RESEAL_BATCH = 100

/**
 * Every slice's rules, in the order a run applies them; a run stops at the first rule that runs
 * out of budget, and the next run starts again from the top.
 */
export const SWEEP_RULES: readonly RetentionRule[] = [
  // Other Workers are waiting for these: nothing else starts until they are sent.
  eventsRetention.undeliveredEvents,
  // Before the row rules, so an abandoned user's old rows are erased (and counted) with the user.
  identityRetention.abandonedAnonymousUsers,
  sessionRetention.endedSessionRows,
  identityRetention.usedMagicLinks,
  identityRetention.oldTombstones,
  identityRetention.oldMergeRecords,
  // By age before by quota, so an old event counts as old.
  eventsRetention.oldAuditEvents,
  eventsRetention.trailsOverQuota,
  mailRetention.sentMail,
  identityRetention.staleLoginAttempts,
  identityRetention.unconfirmedFactors,
  jobsRetention.oldSweepRuns,
  userDataRetention.expiredVerifiers,
]

export interface SweepOptions {
  trigger: 'cron' | 'admin'
  /** Wall-clock budget for one run; what is left waits for the next run. */
  budgetMs?: number
  /** Rows per delete statement (users per erasure batch are capped by the identity slice). */
  batchSize?: number
}

export type SweepCounts = Record<string, number>

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

  const run: RetentionRun = {
    rt,
    now,
    batchSize,
    overBudget,
    count: add,
    previousRunStartedAt: () => lastRunStartedAt(rt.db),
  }
  let complete = true
  for (const rule of SWEEP_RULES) {
    complete = await rule.apply(run)
    if (!complete) break
  }
  // After the deletions, so nothing about to be deleted is re-sealed first.
  if (complete) complete = await resealValues(rt, { batchSize: RESEAL_BATCH, overBudget, add })

  const durationMs = Math.round(performance.now() - started)
  await rt.db
    .insert(sweepRuns)
    .values({ trigger: options.trigger, startedAt, durationMs, counts, complete })
  return { counts, durationMs, complete }
}

/** When the last recorded run started; this run's own row is written only when it ends. */
async function lastRunStartedAt(db: Db): Promise<number | null> {
  const last = await db
    .select({ startedAt: sweepRuns.startedAt })
    .from(sweepRuns)
    .orderBy(desc(sweepRuns.startedAt))
    .limit(1)
    .get()
  return last ? last.startedAt : null
}
