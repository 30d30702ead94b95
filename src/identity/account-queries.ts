/** Queries on `users` for accounts: find by email, create once per email, set a password. */
import { and, eq, inArray, isNull } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import {
  documents,
  identities,
  oauthRecords,
  passkeys,
  preferences,
  recoveryCodes,
  secondFactors,
  secrets,
  users,
} from '../platform/db/schema'
import type { UserRow } from '../platform/db/users'

export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.email, email)).get()
}

export interface NewAccount {
  id: string
  email: string
  role: string
  passwordHash: string | null
  /** Set when a mailbox proof creates the account (a sign-in link); null for a registration. */
  emailVerifiedAt: number | null
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
      emailVerifiedAt: account.emailVerifiedAt,
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

export interface MailboxProof {
  email: string
  now: number
  /** The role an ADMIN_EMAILS address gets once proven; anything else keeps its role. */
  role: string
  /**
   * True when the proof came through the registration's own confirmation link: the password set
   * then is the prover's and stays. Any other proof drops it (pre-account hijacking).
   */
  keepPassword: boolean
}

/**
 * Marks a never-proven email as proven; returns the row when this call did it (so the caller can
 * end the sessions that the unproven credentials opened), undefined when already proven or absent.
 * In the same transaction it empties the account of every per-user value stored before the
 * proof: whoever typed the address could have planted them (a secret, OAuth tokens, a webhook
 * preference) or added ways in (a passkey, a provider identity, an authenticator app and its
 * recovery codes), and the owner must inherit nothing of theirs. Only accounts from before
 * registration needed a confirmation can be found unproven; the audit trail stays.
 */
export async function markEmailProven(db: Db, proof: MailboxProof): Promise<UserRow | undefined> {
  const unproven = db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, proof.email), isNull(users.emailVerifiedAt)))
  const [, , , , , , , , proven] = await db.batch([
    db.delete(documents).where(inArray(documents.userId, unproven)),
    db.delete(secrets).where(inArray(secrets.userId, unproven)),
    db.delete(oauthRecords).where(inArray(oauthRecords.userId, unproven)),
    db.delete(preferences).where(inArray(preferences.userId, unproven)),
    // Ways in that whoever only typed the address added: they would outlive the dropped password.
    db.delete(passkeys).where(inArray(passkeys.userId, unproven)),
    db.delete(identities).where(inArray(identities.userId, unproven)),
    db.delete(secondFactors).where(inArray(secondFactors.userId, unproven)),
    db.delete(recoveryCodes).where(inArray(recoveryCodes.userId, unproven)),
    db
      .update(users)
      .set({
        emailVerifiedAt: proof.now,
        role: proof.role,
        ...(proof.keepPassword ? {} : { passwordHash: null }),
      })
      .where(and(eq(users.email, proof.email), isNull(users.emailVerifiedAt)))
      .returning(),
  ])
  return proven[0]
}

/**
 * Rewrites a password hash in today's form (pepper, iterations), only while it is still the hash
 * that was checked: a password changed meanwhile stays changed.
 */
export async function upgradePasswordHash(
  db: Db,
  userId: string,
  checked: string,
  upgraded: string,
): Promise<void> {
  await db
    .update(users)
    .set({ passwordHash: upgraded })
    .where(and(eq(users.id, userId), eq(users.passwordHash, checked)))
}
