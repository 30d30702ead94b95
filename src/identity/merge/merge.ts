/**
 * The anonymous-to-account merge. Each kind of user data registers a `MergeMover` saying how its
 * rows move and which keys conflict (the account's value wins); the row moves, the tombstone, the
 * session's rebinding in the index and the merge record then run as one D1 batch: a transaction,
 * all or nothing. The record is keyed by the anonymous user, so a retry gets the stored report.
 * An account that has reached a quota the merge would add to takes none of it (merge-quotas.ts):
 * the sign-in goes on, the anonymous user keeps its data, and the report says why.
 */
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '../../platform/db/client'
import { findMerge, insertMergeQuery } from './queries'
import { sessions, users } from '../../platform/db/schema'
import {
  MERGE_KINDS,
  clearMergeStarted,
  markMergeStarted,
  mergeFitsQuotas,
  quotasFilledFor,
  type MergeMover,
  type QuotaSettings,
} from '../../user-data'
import { deliverEvents, eventsOutboxQueries, pendingEvents, type PendingEvents } from '../../events'
import type { SessionEventQueue } from '../../contract/events'
import { CODE } from '../../contract/error-codes'
import type { UserKeys } from '../../platform/crypto/user-keys'
import type { MergeKind, MergeQuotaKind, MergeReport } from '../../platform/shared-types'

export interface MergeInput {
  from: string
  into: string
  userKeys: UserKeys
  /** The session being signed in: its index row moves to the account in the same transaction. */
  sessionId: string
  now: number
  /** The limits the account answers to: one that has reached a quota takes no merge into it. */
  quotas: QuotaSettings
  /** Where `user.merged` is published once the merge has committed (none: not published). */
  events?: SessionEventQueue | undefined
}

export interface MergeResult {
  report: MergeReport
  /** False when the report was already stored, or the merge was skipped: nothing moved now. */
  performed: boolean
  /** When the merge committed (ms). */
  mergedAt: number
}

/**
 * Merges the anonymous user `from` into the account `into`, exactly once. `user.merged` is written
 * to the event outbox in the merge's own batch and published once it has committed; a failed
 * publish is the sweep's to repeat, so it fails no sign-in, and a retried sign-in (which finds the
 * stored merge) publishes nothing again.
 */
export async function mergeAnonymousUser(
  db: Db,
  input: MergeInput,
  movers: readonly MergeMover[],
): Promise<MergeResult> {
  const { result, events } = await commitMerge(db, input, movers)
  await deliverEvents(db, input.events, events)
  return result
}

/**
 * The sign-in goes on without the merge: nothing moves and the anonymous user is not tombstoned
 * (it keeps its data until the sweep takes it); only the session's index row follows the session
 * to the account. Nothing is recorded, so a retry decides again and still moves nothing twice.
 */
async function skipMerge(
  db: Db,
  input: MergeInput,
  quotas: MergeQuotaKind[],
): Promise<MergeResult> {
  await db.update(sessions).set({ userId: input.into }).where(eq(sessions.id, input.sessionId))
  const report: MergeReport = {
    ...emptyReport(input),
    skipped: CODE.quota_exceeded,
    quotas,
  }
  return { report, performed: false, mergedAt: input.now }
}

function emptyReport(input: MergeInput): MergeReport {
  return {
    from: input.from,
    into: input.into,
    moved: Object.fromEntries(MERGE_KINDS.map((kind) => [kind, 0])) as Record<MergeKind, number>,
    conflicts: [],
  }
}

function storedResult(stored: NonNullable<Awaited<ReturnType<typeof findMerge>>>): MergeResult {
  return {
    report: stored.report as unknown as MergeReport,
    performed: false,
    mergedAt: stored.createdAt,
  }
}

async function commitMerge(
  db: Db,
  input: MergeInput,
  movers: readonly MergeMover[],
): Promise<{ result: MergeResult; events: PendingEvents }> {
  const stored = await findMerge(db, input.from)
  if (stored) return { result: storedResult(stored), events: [] }
  const filled = await quotasFilledFor(db, input.quotas, input)
  if (filled.length > 0) return { result: await skipMerge(db, input, filled), events: [] }

  // From here the anonymous user's data takes no writes (user-data/write-guard.ts): a second tab's write
  // is either read below and moved, or refused and retried under the account. Nothing committed
  // after the reads can be left behind or dropped by the batch.
  await markMergeStarted(db, input.from, input.now)
  try {
    return await planAndCommit(db, input, movers)
  } catch (error) {
    await clearMergeStarted(db, input.from).catch(() => {})
    throw error
  }
}

async function planAndCommit(
  db: Db,
  input: MergeInput,
  movers: readonly MergeMover[],
): Promise<{ result: MergeResult; events: PendingEvents }> {
  const plans = await Promise.all(
    movers.map(async (mover) => ({
      mover,
      plan: await mover.plan({ db, from: input.from, into: input.into, userKeys: input.userKeys }),
    })),
  )
  const report = emptyReport(input)
  for (const { mover, plan } of plans) {
    if (!mover.kind) continue
    report.moved[mover.kind] += plan.moved
    report.conflicts.push(...plan.conflicts.map((key) => ({ kind: mover.kind as string, key })))
  }

  const at = new Date(input.now).toISOString()
  const events = pendingEvents(
    input.events,
    [{ type: 'user.merged', from: input.from, into: input.into, at }],
    input.now,
  )
  const statements: BatchItem<'sqlite'>[] = [
    // First, while the account's rows are as every merge committed before this one left them:
    // for an account that has reached a quota this merge adds to, `created_at` is NULL, which
    // the column refuses, and the whole batch rolls back (D1 runs one batch at a time).
    insertMergeQuery(db, {
      fromUserId: input.from,
      intoUserId: input.into,
      report: { ...report },
      createdAt: sql`case when ${mergeFitsQuotas(input.quotas, input)} then ${input.now} end`,
    }),
    ...plans.flatMap(({ plan }) => plan.statements),
    db
      .update(users)
      .set({ mergedInto: input.into, mergedAt: input.now })
      .where(and(eq(users.id, input.from), isNull(users.mergedInto))),
    db.update(sessions).set({ userId: input.into }).where(eq(sessions.id, input.sessionId)),
    ...eventsOutboxQueries(db, events),
  ]
  try {
    await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])
  } catch (error) {
    // A concurrent merge of the same user (another isolate) committed first: its record stands,
    // this batch rolled back whole, and the stored report is the answer.
    const winner = await findMerge(db, input.from)
    if (winner) return { result: storedResult(winner), events: [] }
    // A merge into the same account committed first and filled a quota this one adds to.
    const filled = await quotasFilledFor(db, input.quotas, input)
    if (filled.length === 0) throw error
    await clearMergeStarted(db, input.from)
    return { result: await skipMerge(db, input, filled), events: [] }
  }
  return { result: { report, performed: true, mergedAt: input.now }, events }
}
