/**
 * The condition every write of per-user data carries, inside its own statement: the user is not
 * merged into an account and no merge of it is under way. A merge marks its anonymous user before
 * it reads the rows it moves (`markMergeStarted`), so a second tab's write either commits before
 * the mark (and the merge reads it) or is refused (401 `token_superseded`; the client refreshes,
 * lands under the account and retries): nothing is left behind under the tombstone or dropped by
 * the merge's batch. A user with no row (never stored) accepts writes.
 */
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import { users } from '../platform/db/schema'

/**
 * How long a merge's mark holds writes off. A merge that dies before its batch (the object was
 * evicted) clears nothing; its mark lapses after this, and a retried sign-in sets it again.
 */
export const MERGE_WRITE_PAUSE_MS = 30_000

/** The SQL condition: true when `userId`'s data takes writes at `now`. */
export const acceptsWrites = (userId: string, now: number): SQL =>
  sql`not exists (select 1 from ${users} where ${users.id} = ${userId} and (${users.mergedInto} is not null or ${users.mergeStartedAt} > ${now - MERGE_WRITE_PAUSE_MS}))`

/** Whether `userId`'s data takes writes now (to explain a write that changed nothing). */
export async function userAcceptsWrites(db: Db, userId: string, now: number): Promise<boolean> {
  const row = await db.get<{ ok: number }>(sql`select ${acceptsWrites(userId, now)} as ok`)
  return Boolean(row?.ok)
}

/** Holds off writes to an anonymous user's data while a merge reads and moves it. */
export async function markMergeStarted(db: Db, userId: string, now: number): Promise<void> {
  await db
    .update(users)
    .set({ mergeStartedAt: now })
    .where(and(eq(users.id, userId), isNull(users.mergedInto)))
}

/** Lifts the hold after a merge that failed before it committed, so writes resume at once. */
export async function clearMergeStarted(db: Db, userId: string): Promise<void> {
  await db
    .update(users)
    .set({ mergeStartedAt: null })
    .where(and(eq(users.id, userId), isNull(users.mergedInto)))
}
