/** Queries on a registration's link row: its pending password, and its single-use link and code. */
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../platform/db/client'
import { magicLinks, users } from '../../platform/db/schema'
import { liveCodeConditions, unconsumedLinkConditions } from '../magic-links/queries'

/** What a consumed registration hands to its confirmation. */
export interface ConsumedRegistration {
  email: string
  expiresAt: number
  requestedBySessionId: string | null
  passwordHash: string | null
}

const consumedColumns = {
  email: magicLinks.email,
  expiresAt: magicLinks.expiresAt,
  requestedBySessionId: magicLinks.requestedBySessionId,
  passwordHash: magicLinks.passwordHash,
}

export interface ConsumeRegistrationOptions {
  /** The session the link is consumed for: the one that opened it, or the one about to start. */
  sessionId: string
  now: number
  /** The kill switch: registrations from before it are dead. */
  revokedBefore: number
}

/**
 * Consumes a registration's link: one conditional UPDATE, so across every session exactly one
 * caller gets the registration back.
 */
export async function consumeRegistrationLink(
  db: Db,
  tokenHash: string,
  options: ConsumeRegistrationOptions,
): Promise<ConsumedRegistration | undefined> {
  return db
    .update(magicLinks)
    .set({ consumedAt: options.now, consumedBySessionId: options.sessionId })
    .where(and(...unconsumedLinkConditions(tokenHash, { ...options, purpose: 'register' })))
    .returning(consumedColumns)
    .get()
}

export interface ConsumeRegistrationCodeOptions extends ConsumeRegistrationOptions {
  email: string
  codeHash: string
}

/**
 * Tries a registration code typed in the session that registered: one statement counts the try
 * against every live registration of (email, session) and consumes the one whose code matches,
 * so no burst of guesses gets more than MAX_CODE_ATTEMPTS tries. The caller proves the session
 * first: nothing is counted for a request that only named it.
 */
export async function consumeRegistrationCode(
  db: Db,
  options: ConsumeRegistrationCodeOptions,
): Promise<ConsumedRegistration | undefined> {
  const matches = sql`${magicLinks.codeHash} = ${options.codeHash}`
  const rows = await db
    .update(magicLinks)
    .set({
      codeAttempts: sql`${magicLinks.codeAttempts} + 1`,
      codeConsumedAt: sql`case when ${matches} then ${options.now} else ${magicLinks.codeConsumedAt} end`,
    })
    .where(and(...liveCodeConditions({ ...options, purpose: 'register' })))
    .returning({ ...consumedColumns, codeConsumedAt: magicLinks.codeConsumedAt })
    .all()
  const consumed = rows.find((row) => row.codeConsumedAt === options.now)
  if (!consumed) return undefined
  const { codeConsumedAt: _at, ...registration } = consumed
  return registration
}

/** The pending password has done its job (or must not be used): it leaves the link row. */
export async function clearPendingPassword(db: Db, email: string, sessionId: string) {
  await db
    .update(magicLinks)
    .set({ passwordHash: null })
    .where(
      and(
        eq(magicLinks.email, email),
        eq(magicLinks.requestedBySessionId, sessionId),
        eq(magicLinks.purpose, 'register'),
      ),
    )
}

/**
 * Gives a proven account the password its registering session chose, unless it has one: a
 * password someone set after their own mailbox proof is never replaced. True when it was set.
 */
export async function setFirstPassword(
  db: Db,
  userId: string,
  passwordHash: string,
): Promise<boolean> {
  const row = await db
    .update(users)
    .set({ passwordHash })
    .where(and(eq(users.id, userId), isNull(users.passwordHash)))
    .returning({ id: users.id })
    .get()
  return row !== undefined
}
