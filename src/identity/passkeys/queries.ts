/** The passkeys table: each statement decides its own race, so no check is apart from its write. */
import { and, desc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../platform/db/client'
import { passkeys } from '../../platform/db/schema'
import { insertUserQuery } from '../../platform/db/users'
import { anotherWayIn, type WayInRemoval } from '../ways-in'

export type PasskeyRow = typeof passkeys.$inferSelect
export type NewPasskey = typeof passkeys.$inferInsert

/** Stores the passkey unless its credential id is taken; the row, or undefined when it was. */
export function insertPasskey(db: Db, passkey: NewPasskey): Promise<PasskeyRow | undefined> {
  return db
    .insert(passkeys)
    .values(passkey)
    .onConflictDoNothing({ target: passkeys.credentialId })
    .returning()
    .get()
}

/**
 * A new account whose only credential is this passkey, in one transaction: a taken credential id
 * fails the passkey's insert and so rolls back the account's, leaving no account without a way
 * in. Returns false when the credential id was taken.
 */
export async function insertPasskeyAccount(
  db: Db,
  passkey: NewPasskey & { userId: string },
  now: number,
): Promise<boolean> {
  try {
    await db.batch([
      insertUserQuery(db, {
        id: passkey.userId,
        email: null,
        passwordHash: null,
        isAnonymous: false,
        role: 'user',
        createdAt: now,
        lastSeenAt: now,
      }),
      db.insert(passkeys).values(passkey),
    ])
    return true
  } catch (error) {
    // The unique index said no (a concurrent registration of this credential won), or D1 failed.
    if (await findPasskeyByCredentialId(db, passkey.credentialId)) return false
    throw error
  }
}

export function findPasskeyByCredentialId(
  db: Db,
  credentialId: string,
): Promise<PasskeyRow | undefined> {
  return db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId)).get()
}

/** The user's passkeys, newest first. */
export function listPasskeys(db: Db, userId: string): Promise<PasskeyRow[]> {
  return db
    .select()
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(desc(passkeys.createdAt), desc(passkeys.id))
}

export async function renamePasskey(
  db: Db,
  userId: string,
  id: string,
  name: string,
): Promise<PasskeyRow | undefined> {
  return db
    .update(passkeys)
    .set({ name })
    .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
    .returning()
    .get()
}

/**
 * Records a sign-in with the passkey. The counter must move forward (WebAuthn §6.1.1), checked in
 * the statement itself so two assertions racing with one counter value cannot both pass; an
 * authenticator that does not count (0 both times) always passes. Undefined when refused.
 */
export function recordPasskeyUse(
  db: Db,
  id: string,
  use: { counter: number; backedUp: boolean; deviceType: string; now: number },
): Promise<PasskeyRow | undefined> {
  const movesForward =
    use.counter === 0 ? eq(passkeys.counter, 0) : sql`${passkeys.counter} < ${use.counter}`
  return db
    .update(passkeys)
    .set({
      counter: use.counter,
      backedUp: use.backedUp,
      deviceType: use.deviceType,
      lastUsedAt: use.now,
    })
    .where(and(eq(passkeys.id, id), movesForward))
    .returning()
    .get()
}

/**
 * Deletes the passkey unless it is the account's last way in (ways-in.ts): one statement, so two
 * removals racing for the last two passkeys cannot both succeed.
 */
export async function deletePasskeyKeepingAWayIn(
  db: Db,
  userId: string,
  id: string,
): Promise<WayInRemoval> {
  const deleted = await db
    .delete(passkeys)
    .where(
      and(
        eq(passkeys.id, id),
        eq(passkeys.userId, userId),
        anotherWayIn(db, userId, { passkeyId: id }),
      ),
    )
    .returning({ id: passkeys.id })
  if (deleted.length) return 'deleted'
  const row = await db
    .select({ id: passkeys.id })
    .from(passkeys)
    .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
    .get()
  return row ? 'last_way_in' : 'missing'
}

/** Removes one passkey whatever is left (an administrator's support case). */
export async function deletePasskey(db: Db, userId: string, id: string): Promise<boolean> {
  const deleted = await db
    .delete(passkeys)
    .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
    .returning({ id: passkeys.id })
  return deleted.length > 0
}
