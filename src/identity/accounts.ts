/** Accounts: the subject a session signs into, found or created once per email. */
import { findUserByEmail, insertAccount, markEmailProven } from './account-queries'
import type { Db } from '../platform/db/client'
import type { UserRow } from '../platform/db/users'
import { createId } from '../platform/ids'
import type { AccountSubject, ClaimedMailbox } from '../platform/shared-types'

export function accountSubject(row: UserRow): AccountSubject {
  return { userId: row.id, email: row.email, role: row.role, userCreatedAt: row.createdAt }
}

/** `admin` for emails in ADMIN_EMAILS, else `user`; granted only once the mailbox is proven. */
export function roleForEmail(adminEmails: readonly string[], email: string): string {
  return adminEmails.some((admin) => admin.toLowerCase() === email) ? 'admin' : 'user'
}

/**
 * The account of a proven mailbox, created (verified, no password) if none exists; safe under
 * races. An account whose email was never proven was made by someone who only typed the address:
 * its password is dropped and the caller ends its sessions, so the owner gets a clean account.
 */
export async function claimMailbox(
  db: Db,
  email: string,
  adminEmails: readonly string[],
  now: number,
): Promise<ClaimedMailbox> {
  const role = roleForEmail(adminEmails, email)
  const created = await insertAccount(db, {
    id: createId('usr'),
    email,
    role,
    passwordHash: null,
    emailVerifiedAt: now,
    now,
  })
  if (created) return { account: accountSubject(created), droppedCredentials: false }
  const proven = await markEmailProven(db, { email, now, role, keepPassword: false })
  if (proven) return { account: accountSubject(proven), droppedCredentials: true }
  const row = await findUserByEmail(db, email)
  if (!row) throw new Error('account vanished between insert and read')
  return { account: accountSubject(row), droppedCredentials: false }
}
