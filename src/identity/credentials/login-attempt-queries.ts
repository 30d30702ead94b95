/**
 * Queries on `login_attempts`: exact failure counts per sign-in budget behind the login back-off.
 * An attempt is counted before its password is checked, in the statement that checks the lock, so
 * no burst gets more checks than the back-off allows; a success forgets its budget's failures.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../platform/db/client'
import { loginAttempts } from '../../platform/db/schema'
import { LOGIN_FAILURE_DECAY_MS, loginBackoffSeconds, loginBackoffSteps } from './login-backoff'

/** Whose attempts these are: an email's shared budget (`deviceId` null) or one device's. */
export interface LoginBudget {
  email: string
  deviceId: string | null
}

const budgetIs = ({ email, deviceId }: LoginBudget) =>
  and(eq(loginAttempts.email, email), eq(loginAttempts.deviceId, deviceId ?? ''))

/** The back-off in milliseconds after `failures` failures, as SQL (see loginBackoffSteps). */
function backoffMs(failures: SQL): SQL {
  const steps = loginBackoffSteps()
  const arms = steps.map(([count, seconds]) => `when ${count} then ${seconds * 1000}`).join(' ')
  const longest = steps.at(-1)![1] * 1000
  return sql`(case ${failures} ${sql.raw(arms)} else ${sql.raw(String(longest))} end)`
}

/**
 * Counts an attempt against the budget unless it is locked, in one statement; returns the failure
 * count including this attempt, or null when the budget is locked and nothing was counted. Every
 * `LOGIN_FAILURE_DECAY_MS` since the last failure forgets one earlier failure. The count and the
 * lock it earns are written together, so the next attempt in a burst already sees that lock.
 */
export async function reserveLoginAttempt(
  db: Db,
  budget: LoginBudget,
  now: number,
): Promise<number | null> {
  const forgotten = sql`cast((${now} - ${loginAttempts.lastFailedAt}) / ${LOGIN_FAILURE_DECAY_MS} as integer)`
  const failures = sql`(max(${loginAttempts.failures} - ${forgotten}, 0) + 1)`
  const row = await db
    .insert(loginAttempts)
    .values({
      email: budget.email,
      deviceId: budget.deviceId ?? '',
      failures: 1,
      lastFailedAt: now,
      lockedUntil: now + loginBackoffSeconds(1) * 1000,
    })
    .onConflictDoUpdate({
      target: [loginAttempts.email, loginAttempts.deviceId],
      set: {
        failures,
        lastFailedAt: now,
        lockedUntil: sql`${now} + ${backoffMs(failures)}`,
      },
      setWhere: sql`${loginAttempts.lockedUntil} <= ${now}`,
    })
    .returning({ failures: loginAttempts.failures })
    .get()
  return row?.failures ?? null
}

/** When the budget's lock ends (ms); 0 when it has none (any more). */
export async function lockedUntil(db: Db, budget: LoginBudget): Promise<number> {
  const row = await db
    .select({ lockedUntil: loginAttempts.lockedUntil })
    .from(loginAttempts)
    .where(budgetIs(budget))
    .get()
  return row?.lockedUntil ?? 0
}

/** A success: the budget's failures, this attempt's reservation with them, are forgotten. */
export async function releaseLoginAttempts(db: Db, budget: LoginBudget): Promise<void> {
  await db.delete(loginAttempts).where(budgetIs(budget))
}
