/**
 * The identity slice's retention rules: abandoned anonymous users (erased with everything they
 * own), used sign-in links, merge tombstones and their records, stale login counters, and
 * authenticator apps enrolled but never confirmed.
 * Accounts are never swept; nor is an anonymous user with a live session.
 */
import { and, eq, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm'
import {
  loginAttempts,
  magicLinks,
  merges,
  secondFactors,
  sessions,
  users,
} from '../platform/db/schema'
import {
  DAY_MS,
  deleteRowsWhere,
  repeatWithinBudget,
  type RetentionRule,
} from '../platform/retention'
import { SESSION_INDEX_LAG_MS } from '../session'
import { eraseUsers, IDS_PER_STATEMENT } from './erasure'
import { abandonedEnrolment } from './factors/queries'

const TOMBSTONE_RETENTION_MS = 30 * DAY_MS

/**
 * Anonymous users not seen within ANON_USER_TTL, with no live session, never merged: erased with
 * every row they own and their session objects, `IDS_PER_STATEMENT` users an erasure.
 */
const abandonedAnonymousUsers: RetentionRule<'anonymousUsers' | 'sessionObjects'> = {
  counts: ['anonymousUsers', 'sessionObjects'],
  apply(run) {
    const { rt, now, count } = run
    const cutoff = now - rt.settings.ANON_USER_TTL * 1000
    // Activity is `users.last_seen_at` (the hourly session touch keeps it current), not session
    // rows: the sweep deletes expired session rows itself. The hour it may trail is covered by
    // `live`: a user active within the idle TTL still has a row that may be live.
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
    return repeatWithinBudget(run.overBudget, async () => {
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
      if (batch.length === 0) return false
      // Only objects that may be live are woken: these users have none (see `live` above), so an
      // abandoned user costs D1 statements only. Their expired objects emptied themselves by alarm.
      const erased = await eraseUsers(
        rt,
        batch.map((row) => row.id),
        { objects: 'maybe-live', now },
      )
      count('anonymousUsers', erased.users)
      count('sessionObjects', erased.sessions)
      return true
    })
  },
}

const usedMagicLinks = deleteRowsWhere('magicLinks', magicLinks, ({ now }) =>
  or(isNotNull(magicLinks.consumedAt), lte(magicLinks.expiresAt, now)),
)

const oldTombstones = deleteRowsWhere('tombstones', users, ({ now }) =>
  and(isNotNull(users.mergedInto), lt(users.mergedAt, now - TOMBSTONE_RETENTION_MS)),
)

const oldMergeRecords = deleteRowsWhere('mergeRecords', merges, ({ now }) =>
  lt(merges.createdAt, now - TOMBSTONE_RETENTION_MS),
)

/** Failure counters only need to outlive their back-off: a day after the last failure. */
const staleLoginAttempts = deleteRowsWhere('loginAttempts', loginAttempts, ({ now }) =>
  and(lt(loginAttempts.lastFailedAt, now - DAY_MS), lt(loginAttempts.lockedUntil, now)),
)

/** An unconfirmed secret kept for good is a sealed secret nobody uses: a day is ample to confirm. */
const unconfirmedFactors = deleteRowsWhere('unconfirmedFactors', secondFactors, ({ now }) =>
  abandonedEnrolment(now, DAY_MS),
)

export const identityRetention = {
  abandonedAnonymousUsers,
  usedMagicLinks,
  oldTombstones,
  oldMergeRecords,
  staleLoginAttempts,
  unconfirmedFactors,
}
