/** Queries on `users` for accounts: find by email, create once per email, set a password. */
import { eq } from 'drizzle-orm'
import type { Db } from './client'
import { users } from './schema'
import type { UserRow } from './users'

export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.email, email)).get()
}

export interface NewAccount {
  id: string
  email: string
  role: string
  passwordHash: string | null
  now: number
}

/**
 * Creates the account unless one with this email exists; returns the new row, or undefined when
 * the email was taken (by this call's concurrent twin, too: the unique index decides).
 */
export function insertAccount(db: Db, account: NewAccount): Promise<UserRow | undefined> {
  return db
    .insert(users)
    .values({
      id: account.id,
      email: account.email,
      passwordHash: account.passwordHash,
      isAnonymous: false,
      role: account.role,
      createdAt: account.now,
      lastSeenAt: account.now,
    })
    .onConflictDoNothing({ target: users.email })
    .returning()
    .get()
}

export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId))
}
