/** Queries on `login_attempts`: exact per-email failure counts behind the login back-off. */
import { eq, sql } from 'drizzle-orm'
import type { Db } from './client'
import { loginAttempts } from './schema'

export function findLoginAttempts(db: Db, email: string) {
  return db.select().from(loginAttempts).where(eq(loginAttempts.email, email)).get()
}

/** Counts one more failure atomically and returns the new count. */
export async function countLoginFailure(db: Db, email: string, now: number): Promise<number> {
  const row = await db
    .insert(loginAttempts)
    .values({ email, failures: 1, lastFailedAt: now, lockedUntil: 0 })
    .onConflictDoUpdate({
      target: loginAttempts.email,
      set: { failures: sql`${loginAttempts.failures} + 1`, lastFailedAt: now },
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
