/** The identities table: each statement decides its own race, so no check is apart from its write. */
import { and, desc, eq } from 'drizzle-orm'
import type { Db } from '../../platform/db/client'
import { identities } from '../../platform/db/schema'
import { insertUserQuery } from '../../platform/db/users'
import { anotherWayIn, type WayInRemoval } from '../ways-in'

export type IdentityRow = typeof identities.$inferSelect
export type NewIdentity = typeof identities.$inferInsert

export function findIdentity(
  db: Db,
  provider: string,
  subject: string,
): Promise<IdentityRow | undefined> {
  return db
    .select()
    .from(identities)
    .where(and(eq(identities.provider, provider), eq(identities.subject, subject)))
    .get()
}

/** Stores the identity unless its provider and subject are taken; the row, or undefined. */
export function insertIdentity(db: Db, identity: NewIdentity): Promise<IdentityRow | undefined> {
  return db
    .insert(identities)
    .values(identity)
    .onConflictDoNothing({ target: [identities.provider, identities.subject] })
    .returning()
    .get()
}

/**
 * A new account (no email: nothing proved one) whose only way in is this identity, in one
 * transaction: when a concurrent first sign-in took the subject, the identity's insert fails and
 * rolls back the account's, so the race leaves one account. Returns the identity that won.
 */
export async function insertIdentityAccount(
  db: Db,
  identity: NewIdentity & { userId: string },
  now: number,
): Promise<IdentityRow> {
  try {
    const [, rows] = await db.batch([
      insertUserQuery(db, {
        id: identity.userId,
        email: null,
        passwordHash: null,
        isAnonymous: false,
        role: 'user',
        createdAt: now,
        lastSeenAt: now,
      }),
      db.insert(identities).values(identity).returning(),
    ])
    return rows[0]!
  } catch (error) {
    const winner = await findIdentity(db, identity.provider, identity.subject)
    if (winner) return winner
    throw error
  }
}

/** Records a sign-in with the identity, and what the provider now says of its email. */
export async function recordIdentityUse(
  db: Db,
  id: string,
  use: { email: string | null; emailVerified: boolean; now: number },
): Promise<void> {
  await db
    .update(identities)
    .set({ email: use.email, emailVerified: use.emailVerified, lastUsedAt: use.now })
    .where(eq(identities.id, id))
}

/** The account's identities, newest first. */
export function listIdentities(db: Db, userId: string): Promise<IdentityRow[]> {
  return db
    .select()
    .from(identities)
    .where(eq(identities.userId, userId))
    .orderBy(desc(identities.linkedAt), desc(identities.id))
}

/** Deletes the identity unless it is the account's last way in (ways-in.ts), in one statement. */
export async function deleteIdentityKeepingAWayIn(
  db: Db,
  userId: string,
  id: string,
): Promise<WayInRemoval> {
  const deleted = await db
    .delete(identities)
    .where(
      and(
        eq(identities.id, id),
        eq(identities.userId, userId),
        anotherWayIn(db, userId, { identityId: id }),
      ),
    )
    .returning({ id: identities.id })
  if (deleted.length) return 'deleted'
  return (await findOwnIdentity(db, userId, id)) ? 'last_way_in' : 'missing'
}

/** Removes one identity whatever is left (an administrator's support case). */
export async function deleteIdentity(db: Db, userId: string, id: string): Promise<boolean> {
  const deleted = await db
    .delete(identities)
    .where(and(eq(identities.id, id), eq(identities.userId, userId)))
    .returning({ id: identities.id })
  return deleted.length > 0
}

function findOwnIdentity(db: Db, userId: string, id: string) {
  return db
    .select({ id: identities.id })
    .from(identities)
    .where(and(eq(identities.id, id), eq(identities.userId, userId)))
    .get()
}
