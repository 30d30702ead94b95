/** Accounts: the subject a session signs into, found or created once per email. */
import { findUserByEmail, insertAccount } from '../db/accounts'
import type { Db } from '../db/client'
import type { UserRow } from '../db/users'
import { createId } from '../ids'

/** An account as a session needs it: who to bind to and what the tokens will say. */
export interface AccountSubject {
  userId: string
  email: string
  role: string
  userCreatedAt: number
}

export function accountSubject(row: UserRow): AccountSubject {
  return { userId: row.id, email: row.email ?? '', role: row.role, userCreatedAt: row.createdAt }
}

/** `admin` for emails in ADMIN_EMAILS, else `user`; decided when the account is created. */
export function roleForEmail(adminEmails: readonly string[], email: string): string {
  return adminEmails.some((admin) => admin.toLowerCase() === email) ? 'admin' : 'user'
}

/** The account for `email`, created (without a password) if none exists; safe under races. */
export async function findOrCreateAccount(
  db: Db,
  email: string,
  role: string,
  now: number,
): Promise<AccountSubject> {
  const created = await insertAccount(db, {
    id: createId('usr'),
    email,
    role,
    passwordHash: null,
    now,
  })
  const row = created ?? (await findUserByEmail(db, email))
  if (!row) throw new Error('account vanished between insert and read')
  return accountSubject(row)
}
