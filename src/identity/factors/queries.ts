/** Queries on `second_factors` and `recovery_codes`: sealed secrets and hashes only. */
import { and, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm'
import type { Db } from '../../platform/db/client'
import { recoveryCodes, secondFactors } from '../../platform/db/schema'

export type SecondFactorRow = typeof secondFactors.$inferSelect

/** Wrong codes an account may send per window before it must wait (the link code's limit). */
export const MAX_FACTOR_TRIES = 5

/** How long the tries of one window count: the next window grants MAX_FACTOR_TRIES again. */
export const FACTOR_TRY_WINDOW_MS = 15 * 60 * 1000

export function findSecondFactor(db: Db, userId: string): Promise<SecondFactorRow | undefined> {
  return db.select().from(secondFactors).where(eq(secondFactors.userId, userId)).get()
}

/** Whether the account has a confirmed second factor: what the sign-in gate asks. */
export async function hasConfirmedFactor(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .select({ userId: secondFactors.userId })
    .from(secondFactors)
    .where(and(eq(secondFactors.userId, userId), isNotNull(secondFactors.confirmedAt)))
    .get()
  return row !== undefined
}

/**
 * An enrolment nobody finished within `maxAgeMs`: a sealed secret no authenticator proved it
 * holds, which no sign-in asks for (re-enrolling sets `created_at` again, so it starts over).
 */
export const abandonedEnrolment = (now: number, maxAgeMs: number) =>
  and(isNull(secondFactors.confirmedAt), lt(secondFactors.createdAt, now - maxAgeMs))

/**
 * Stores an unconfirmed TOTP secret, replacing an earlier unconfirmed one; a confirmed factor is
 * never replaced here (disable it first). True when stored.
 */
export async function putPendingTotp(
  db: Db,
  userId: string,
  totpSecretSealed: string,
  now: number,
): Promise<boolean> {
  const rows = await db
    .insert(secondFactors)
    .values({ userId, totpSecretSealed, createdAt: now })
    .onConflictDoUpdate({
      target: secondFactors.userId,
      set: { totpSecretSealed, createdAt: now, lastStep: null, tries: 0, triesSince: 0 },
      setWhere: isNull(secondFactors.confirmedAt),
    })
    .returning({ userId: secondFactors.userId })
  return rows.length > 0
}

/**
 * Grants one try at a code, counted and checked in one statement: while fewer than
 * MAX_FACTOR_TRIES were granted in the current window (a window older than FACTOR_TRY_WINDOW_MS
 * starts again). D1 runs statements one at a time, so however many tries race, at most
 * MAX_FACTOR_TRIES of them see the row. `confirmed`: only a confirmed factor (else only a pending
 * one). Undefined when no try is left (or no such factor).
 */
export function grantFactorTry(
  db: Db,
  userId: string,
  now: number,
  confirmed: boolean,
): Promise<SecondFactorRow | undefined> {
  const windowOver = lt(secondFactors.triesSince, now - FACTOR_TRY_WINDOW_MS)
  return db
    .update(secondFactors)
    .set({
      tries: sql`case when ${windowOver} then 1 else ${secondFactors.tries} + 1 end`,
      triesSince: sql`case when ${windowOver} then ${now} else ${secondFactors.triesSince} end`,
    })
    .where(
      and(
        eq(secondFactors.userId, userId),
        confirmed ? isNotNull(secondFactors.confirmedAt) : isNull(secondFactors.confirmedAt),
        or(lt(secondFactors.tries, MAX_FACTOR_TRIES), windowOver),
      ),
    )
    .returning()
    .get()
}

/**
 * Accepts a TOTP code's time step, once: only a step later than the last accepted one moves the
 * row, so the same code (or an older one) sent again, even at the same instant, is refused. The
 * tries start over; `confirm` also confirms a pending factor. True when accepted.
 */
export async function acceptTotpStep(
  db: Db,
  userId: string,
  step: number,
  now: number,
  confirm: boolean,
): Promise<boolean> {
  const rows = await db
    .update(secondFactors)
    .set({
      lastStep: step,
      lastUsedAt: now,
      tries: 0,
      ...(confirm ? { confirmedAt: now } : {}),
    })
    .where(
      and(
        eq(secondFactors.userId, userId),
        or(isNull(secondFactors.lastStep), lt(secondFactors.lastStep, step)),
        confirm ? isNull(secondFactors.confirmedAt) : isNotNull(secondFactors.confirmedAt),
      ),
    )
    .returning({ userId: secondFactors.userId })
  return rows.length > 0
}

/** Uses a recovery code: exactly one caller wins it. True when it was there and unused. */
export async function useRecoveryCode(
  db: Db,
  userId: string,
  codeHash: string,
  now: number,
): Promise<boolean> {
  const rows = await db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(recoveryCodes.userId, userId),
        eq(recoveryCodes.codeHash, codeHash),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ userId: recoveryCodes.userId })
  if (rows.length > 0)
    await db
      .update(secondFactors)
      .set({ tries: 0, lastUsedAt: now })
      .where(eq(secondFactors.userId, userId))
  return rows.length > 0
}

/** Replaces every recovery code of the user with `codeHashes`, in one batch. */
export async function replaceRecoveryCodes(
  db: Db,
  userId: string,
  codeHashes: readonly string[],
  now: number,
): Promise<void> {
  await db.batch([
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
    db
      .insert(recoveryCodes)
      .values(codeHashes.map((codeHash) => ({ userId, codeHash, createdAt: now }))),
  ])
}

/** Recovery codes still unused. */
export async function countRecoveryCodesLeft(db: Db, userId: string): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
    .get()
  return row?.n ?? 0
}

/** Removes the user's factor and recovery codes; true when there was a factor. */
export async function deleteSecondFactor(db: Db, userId: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db
      .delete(secondFactors)
      .where(eq(secondFactors.userId, userId))
      .returning({ userId: secondFactors.userId }),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
  ])
  return deleted.length > 0
}

/**
 * Ends every pending second-factor challenge of the user, wherever it is kept (a challenge of a
 * sign-in that proved no session lives in an object no session index row names).
 */
export async function endPendingChallenges(db: Db, userId: string, now: number): Promise<void> {
  await db
    .update(secondFactors)
    .set({ challengesValidFrom: now })
    .where(eq(secondFactors.userId, userId))
}
