/** Queries on `login_attempts`: exact per-email failure counts behind the login back-off. */
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import { loginAttempts } from '../platform/db/schema'

export function findLoginAttempts(db: Db, email: string) {
  return db.select().from(loginAttempts).where(eq(loginAttempts.email, email)).get()
}

/**
 * Counts one more failure atomically and returns the new count. Every `decayMs` since the last
 * failure forgets one earlier failure, so the count decays instead of only growing.
 */
export async function countLoginFailure(
  db: Db,
  email: string,
  now: number,
  decayMs: number,
): Promise<number> {
  const forgotten = sql`cast((${now} - ${loginAttempts.lastFailedAt}) / ${decayMs} as integer)`
  const row = await db
    .insert(loginAttempts)
    .values({ email, failures: 1, lastFailedAt: now, lockedUntil: 0 })
    .onConflictDoUpdate({
      target: loginAttempts.email,
      set: {
        failures: sql`max(${loginAttempts.failures} - ${forgotten}, 0) + 1`,
        lastFailedAt: now,
      },
    })
    .returning({ failures: loginAttempts.failures })
    .get()
  return row?.failures ?? 1
}

export async function lockLogin(db: Db, email: string, lockedUntil: number): Promise<void> {
  await db.update(loginAttempts).set({ lockedUntil }).where(eq(loginAttempts.email, email))
}

export async function clearLoginFailures(db: Db, email: string): Promise<void> {
  await db.delete(loginAttempts).where(eq(loginAttempts.email, email))
}
